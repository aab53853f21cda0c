"""Landing zone: discovery, fingerprints, content-addressed archive."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from orchestration.ingest.landing import (
    IngestError,
    LandingFile,
    archive,
    discover,
    sha256_of,
)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_sha256_of_matches_published_test_vector(tmp_path):
    # FIPS 180-2 example: SHA-256("abc").
    path = _write(tmp_path / "abc.txt", b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_of_large_file_equals_one_shot_digest(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # spans several read chunks
    path = _write(tmp_path / "big.bin", data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_discover_lists_known_kinds_sorted_and_skips_noise(tmp_path):
    landing = tmp_path / "landing"
    wanted = {
        "city_yearbook/ccsy_2011.xlsx": b"x2011",
        "city_yearbook/ccsy_2010.xlsx": b"x2010",
        "city_yearbook/old/ccsy_2009.XLS": b"x2009",
        "city_yearbook/ccsy_2012.csv": b"c2012",
        "patents/patents_demo.csv": b"p",
        "patents/extract.parquet": b"pq",
    }
    noise = [
        "city_yearbook/.hidden.xlsx",
        "city_yearbook/.cache/ccsy_2013.xlsx",
        "city_yearbook/~$ccsy_2010.xlsx",
        "city_yearbook/ccsy_2010.xlsx.meta.yml",
        "city_yearbook/README.txt",
        "patents/patents_demo.csv.meta.yml",
        "patents/export.xlsx",  # not a patent extract format
        "other/ccsy_2010.xlsx",  # not a known kind
        "stray.csv",
    ]
    for rel, data in wanted.items():
        _write(landing / rel, data)
    for rel in noise:
        _write(landing / rel, b"noise")

    found = discover(landing)

    assert [f.relpath for f in found] == sorted(wanted)
    by_rel = {f.relpath: f for f in found}
    for rel, data in wanted.items():
        f = by_rel[rel]
        assert f.kind == rel.split("/")[0]
        assert f.sha256 == hashlib.sha256(data).hexdigest()
        assert f.size == len(data)
        assert f.path == (landing / rel).resolve()
        assert f.path.is_absolute()


def test_discover_on_missing_or_empty_landing_is_empty(tmp_path):
    assert discover(tmp_path / "nowhere") == []
    (tmp_path / "landing" / "patents").mkdir(parents=True)
    assert discover(tmp_path / "landing") == []


def _landing_file(tmp_path: Path, rel: str, data: bytes) -> LandingFile:
    _write(tmp_path / "landing" / rel, data)
    (found,) = [f for f in discover(tmp_path / "landing") if f.relpath == rel]
    return found


def test_archive_is_content_addressed_and_idempotent(tmp_path):
    data = b"yearbook bytes"
    file = _landing_file(tmp_path, "city_yearbook/ccsy_2010.xlsx", data)
    digest = hashlib.sha256(data).hexdigest()

    target = archive(file, tmp_path / "archive")

    assert target == tmp_path / "archive" / digest[:2] / digest / "ccsy_2010.xlsx"
    assert target.read_bytes() == data
    stamp = target.stat().st_mtime_ns
    assert archive(file, tmp_path / "archive") == target
    assert target.stat().st_mtime_ns == stamp  # not rewritten
    # No temporary files are left behind next to the archived copy.
    assert [p.name for p in target.parent.iterdir()] == ["ccsy_2010.xlsx"]


def test_archive_keeps_a_superseded_version_beside_the_new_one(tmp_path):
    old = _landing_file(tmp_path, "city_yearbook/ccsy_2010.xlsx", b"first edition")
    old_target = archive(old, tmp_path / "archive")
    new = _landing_file(tmp_path, "city_yearbook/ccsy_2010.xlsx", b"corrected edition")
    new_target = archive(new, tmp_path / "archive")

    assert new_target != old_target
    assert old_target.read_bytes() == b"first edition"
    assert new_target.read_bytes() == b"corrected edition"


def test_archive_never_overwrites_a_different_file(tmp_path):
    file = _landing_file(tmp_path, "patents/p.csv", b"a,b\n1,2\n")
    target = archive(file, tmp_path / "archive")
    target.write_bytes(b"tampered")

    with pytest.raises(IngestError, match="patents/p.csv"):
        archive(file, tmp_path / "archive")
    assert target.read_bytes() == b"tampered"


def test_archive_refuses_a_file_changed_since_discovery(tmp_path):
    file = _landing_file(tmp_path, "patents/p.csv", b"a,b\n1,2\n")
    file.path.write_bytes(b"a,b\n1,3\n")

    with pytest.raises(IngestError, match="changed since"):
        archive(file, tmp_path / "archive")
    target_dir = tmp_path / "archive" / file.sha256[:2] / file.sha256
    assert not (target_dir / "p.csv").exists()
    assert list(target_dir.iterdir()) == []


def test_ingest_error_is_a_value_error():
    assert issubclass(IngestError, ValueError)
