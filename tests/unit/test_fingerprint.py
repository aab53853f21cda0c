"""The build fingerprint changes with any landing file, sidecar, code file or option, and
with nothing else."""

from __future__ import annotations

import json
import shutil
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
    state = {"landing": {"a/b.csv": "1"}, "code": "c", "options": {}}
    with duckdb.connect(str(db)) as con:
        fingerprint.record(con, json.dumps(state))
    assert fingerprint.published_fingerprint(db) == fingerprint.digest(state)
    with duckdb.connect(str(db)) as con:
        fingerprint.record(con, None)  # a run the sensor started: the next build checks all
    assert fingerprint.published_fingerprint(db) is None


def _publish(tmp_path: Path, state: dict) -> tuple[Path, Path]:
    work, published = tmp_path / "work.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(work)) as con:
        fingerprint.record(con, json.dumps(state))
    shutil.copy(work, published)
    return published, work


STATE = {"landing": {"city_yearbook/a.xlsx": "1", "patents/p.csv": "2",
                     "yearbook_long/l.csv": "3"}, "code": "c", "options": {"X": ""}}


def test_refresh_kinds_names_the_kinds_whose_files_changed(tmp_path):
    published, work = _publish(tmp_path, STATE)
    same = json.loads(json.dumps(STATE))
    assert fingerprint.refresh_kinds(same, published, work) == set()
    changed = json.loads(json.dumps(STATE))
    changed["landing"]["city_yearbook/a.xlsx"] = "1:sidecar"
    changed["landing"]["city_yearbook/b.xlsx"] = "4"
    assert fingerprint.refresh_kinds(changed, published, work) == {"city_yearbook"}
    del changed["landing"]["patents/p.csv"]
    assert fingerprint.refresh_kinds(changed, published, work) == {"city_yearbook", "patents"}


def test_a_kind_whose_run_did_not_publish_is_refreshed_again(tmp_path):
    published, work = _publish(tmp_path, STATE)
    with duckdb.connect(str(work)) as con:  # a raw load of a refresh that then failed
        fingerprint.mark_unpublished(con, "city_yearbook")
        fingerprint.mark_unpublished(con, "city_yearbook")
    assert fingerprint.refresh_kinds(STATE, published, work) == {"city_yearbook"}
    changed = {**STATE, "landing": {**STATE["landing"], "patents/p.csv": "5"}}
    assert fingerprint.refresh_kinds(changed, published, work) == {"city_yearbook", "patents"}


def test_no_refresh_when_code_options_or_the_working_file_moved_on(tmp_path):
    published, work = _publish(tmp_path, STATE)
    for key, value in (("code", "d"), ("options", {"X": "1"})):
        assert fingerprint.refresh_kinds({**STATE, key: value}, published, work) is None
    # the working file is not the published one
    with duckdb.connect(str(work)) as con:
        fingerprint.record(con, json.dumps({**STATE, "code": "older"}))
    assert fingerprint.refresh_kinds(STATE, published, work) is None
    # nothing published yet, or from before states were recorded
    assert fingerprint.refresh_kinds(STATE, tmp_path / "none.duckdb", work) is None
