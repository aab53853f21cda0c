"""Atomic publication: readers see the old file or the new one, a failure changes nothing."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from orchestration.publish import publish


def _make_db(path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])


def test_publish_replaces_and_open_readers_keep_the_old_file(tmp_path) -> None:
    work, published = tmp_path / "work.duckdb", tmp_path / "pub" / "dri.duckdb"
    _make_db(work, 1)
    publish(work, published)
    reader = duckdb.connect(str(published), read_only=True)
    _make_db(work, 2)
    publish(work, published)
    assert reader.execute("SELECT v FROM t").fetchone()[0] == 1  # old snapshot still readable
    reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT v FROM t").fetchone()[0] == 2
    assert not list(published.parent.glob(".*.tmp"))


def test_failed_publish_leaves_the_published_file_alone(tmp_path) -> None:
    work, published = tmp_path / "work.duckdb", tmp_path / "dri.duckdb"
    _make_db(work, 1)
    publish(work, published)
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    with pytest.raises(FileNotFoundError):
        publish(tmp_path / "missing.duckdb", published)
    work.write_bytes(b"not a duckdb file")
    with pytest.raises(duckdb.Error):
        publish(work, published)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".*.tmp"))
