"""A failed refresh sets aside exactly the files the published warehouse never loaded."""

from __future__ import annotations

import duckdb

from orchestration import recovery
from orchestration.ingest.landing import sha256_of


def test_new_files_are_set_aside_and_published_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path))
    landing = tmp_path / "landing" / "city_yearbook"
    landing.mkdir(parents=True)
    old, new = landing / "ccsy_2020.csv", landing / "ccsy_1999.csv"
    old.write_text("城市,人口\n", encoding="utf-8")
    new.write_text("城市,人口\n北京,1\n", encoding="utf-8")
    (landing / "ccsy_1999.csv.meta.yml").write_text("synthetic: false\n", encoding="utf-8")

    assert recovery.set_aside_new_files("x") == []  # nothing published: nothing to tell apart
    with duckdb.connect(str(tmp_path / "dri.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.landing_files AS SELECT ? AS source_sha256",
                    [sha256_of(old)])

    moved = recovery.set_aside_new_files("check failed: year out of range")

    assert [m[0] for m in moved] == ["city_yearbook/ccsy_1999.csv"]
    aside = tmp_path / "landing" / "failed" / "city_yearbook"
    assert (aside / "ccsy_1999.csv").exists() and (aside / "ccsy_1999.csv.meta.yml").exists()
    assert "year out of range" in (aside / "ccsy_1999.csv.reason.txt").read_text("utf-8")
    assert old.exists() and not new.exists()


def test_failure_sensor_is_defined():
    from orchestration.definitions import defs

    assert defs.get_sensor_def("landing_failure_sensor") is not None
