"""The build fingerprint changes with any landing file, sidecar, code file or option, and
with nothing else."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import fingerprint


def _tree(root: Path) -> tuple[Path, Path]:
    landing = root / "landing"
    (landing / "city_yearbook").mkdir(parents=True)
    (landing / "city_yearbook" / "ccsy_2020.csv").write_text("城市,人口\n", encoding="utf-8")
    code = root / "code"
    (code / "models_py").mkdir(parents=True)
    (code / "models_py" / "panel.py").write_text("x = 1\n", encoding="utf-8")
    (code / "dbt_project" / "target").mkdir(parents=True)
    return landing, code


def test_fingerprint_follows_inputs_code_and_options(tmp_path, monkeypatch):
    landing, code = _tree(tmp_path)
    monkeypatch.delenv("DRI_PATENTS_COMPRESS_TEXT", raising=False)
    base = fingerprint.build_fingerprint(landing, code)
    assert fingerprint.build_fingerprint(landing, code) == base  # deterministic

    (code / "dbt_project" / "target" / "manifest.json").write_text("{}", encoding="utf-8")
    assert fingerprint.build_fingerprint(landing, code) == base  # build outputs do not count

    (landing / "city_yearbook" / "ccsy_2020.csv.meta.yml").write_text("synthetic: true\n")
    with_sidecar = fingerprint.build_fingerprint(landing, code)
    assert with_sidecar != base

    (code / "models_py" / "panel.py").write_text("x = 2\n", encoding="utf-8")
    changed_code = fingerprint.build_fingerprint(landing, code)
    assert changed_code != with_sidecar

    monkeypatch.setenv("DRI_PATENTS_COMPRESS_TEXT", "1")
    assert fingerprint.build_fingerprint(landing, code) != changed_code


def test_recorded_fingerprint_is_read_back(tmp_path):
    db = tmp_path / "w.duckdb"
    assert fingerprint.published_fingerprint(db) is None  # no warehouse yet
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t (x INT)")
    assert fingerprint.published_fingerprint(db) is None  # built before fingerprints
    with duckdb.connect(str(db)) as con:
        fingerprint.record(con, "abc")
    assert fingerprint.published_fingerprint(db) == "abc"
    with duckdb.connect(str(db)) as con:
        fingerprint.record(con, None)  # a one-kind refresh: the next build checks again
    assert fingerprint.published_fingerprint(db) is None
