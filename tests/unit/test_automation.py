"""The landing sensor requests a refresh only for kinds whose files changed."""

from __future__ import annotations

import json

import pytest
from dagster import SkipReason, build_sensor_context

from orchestration.assets.landing import DATA_VERSION_TAG, landing_asset_key, observe_kind
from orchestration.automation import changed_kinds, files_tag, landing_sensor
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


def test_a_run_names_the_files_that_started_it(landing) -> None:
    (landing / "city_yearbook" / "ccsy_2020.xlsx").write_bytes(b"one")
    cursor = _evaluate(None).cursor
    (landing / "city_yearbook" / "ccsy_2021.xlsx").write_bytes(b"two")
    (landing / "city_yearbook" / "ccsy_2020.xlsx").unlink()
    result = _evaluate(cursor)
    (request,) = result.run_requests
    assert request.tags["dri/changed_files"] == (
        "city_yearbook/ccsy_2020.xlsx, city_yearbook/ccsy_2021.xlsx")
    assert request.tags["dri/kind"] == "city_yearbook"
    assert request.run_key.startswith("city_yearbook:city_yearbook/ccsy_2020.xlsx +1 more@")
    # The sensor records what it saw as an observation of the kind's landing asset, with the
    # data version the observation function gives and the files that changed.
    (event,) = result.asset_events
    assert event.asset_key == landing_asset_key("city_yearbook")
    assert event.tags[DATA_VERSION_TAG] == observe_kind("city_yearbook").data_version.value
    assert event.metadata["changed_files"].value == [
        "city_yearbook/ccsy_2020.xlsx", "city_yearbook/ccsy_2021.xlsx"]
    assert [f["file"] for f in event.metadata["files"].value] == ["city_yearbook/ccsy_2021.xlsx"]


def test_a_large_drop_is_summarized_in_the_tag() -> None:
    files = [f"patents/part_{i:04d}.parquet" for i in range(200)]
    text = files_tag(files)
    assert len(text) <= 1000 and text.startswith("patents/part_0000.parquet, ")
    shown = text.split(" (+")[0].split(", ")
    assert text.endswith(f"(+{200 - len(shown)} more)")
    assert files_tag(files[:2]) == "patents/part_0000.parquet, patents/part_0001.parquet"
