"""The landing sensor requests a refresh only for kinds whose files changed."""

from __future__ import annotations

import json

import pytest
from dagster import SkipReason, build_sensor_context

from orchestration.automation import changed_kinds, landing_sensor
from orchestration.ingest.landing import deduplicate, discover


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path))
    root = tmp_path / "landing"
    (root / "city_yearbook").mkdir(parents=True)
    (root / "patents").mkdir(parents=True)
    return root


def _evaluate(cursor: str | None):
    return landing_sensor(build_sensor_context(cursor=cursor))


def test_new_changed_and_unchanged_files(landing) -> None:
    assert isinstance(_evaluate(None), SkipReason)  # empty landing zone

    (landing / "city_yearbook" / "ccsy_2020.xlsx").write_bytes(b"one")
    first = _evaluate(None)
    assert [r.job_name for r in first.run_requests] == ["refresh_city_yearbook"]

    assert isinstance(_evaluate(first.cursor), SkipReason)  # nothing new: no run

    (landing / "patents" / "extract.csv").write_text("x", encoding="utf-8")
    second = _evaluate(first.cursor)
    assert [r.job_name for r in second.run_requests] == ["refresh_patents"]

    (landing / "city_yearbook" / "ccsy_2020.xlsx").write_bytes(b"corrected")
    third = _evaluate(second.cursor)
    assert [r.job_name for r in third.run_requests] == ["refresh_city_yearbook"]
    assert third.run_requests[0].run_key != first.run_requests[0].run_key
    assert json.loads(third.cursor) == {
        "city_yearbook/ccsy_2020.xlsx": json.loads(third.cursor)["city_yearbook/ccsy_2020.xlsx"],
        "patents/extract.csv": json.loads(second.cursor)["patents/extract.csv"],
    }


def test_sidecars_and_lock_files_do_not_trigger(landing) -> None:
    (landing / "city_yearbook" / "ccsy_2020.xlsx").write_bytes(b"one")
    cursor = _evaluate(None).cursor
    (landing / "city_yearbook" / "ccsy_2020.xlsx.meta.yml").write_text("synthetic: true\n")
    (landing / "city_yearbook" / "~$ccsy_2020.xlsx").write_bytes(b"lock")
    assert isinstance(_evaluate(cursor), SkipReason)


def test_removed_file_triggers_its_kind() -> None:
    before = {"patents/a.csv": "1", "city_yearbook/b.xlsx": "2"}
    assert changed_kinds(before, {"city_yearbook/b.xlsx": "2"}) == ["patents"]
    assert changed_kinds(before, before) == []


def test_same_bytes_under_two_names_are_read_once(landing) -> None:
    (landing / "patents" / "a.csv").write_text("same", encoding="utf-8")
    (landing / "patents" / "b_copy.csv").write_text("same", encoding="utf-8")
    (landing / "patents" / "c.csv").write_text("other", encoding="utf-8")
    unique, duplicates = deduplicate(discover(landing))
    assert [f.relpath for f in unique] == ["patents/a.csv", "patents/c.csv"]
    assert [f.relpath for f in duplicates] == ["patents/b_copy.csv"]
