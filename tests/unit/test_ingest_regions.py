"""Region-name matching (orchestration/ingest/regions.py) against the real alias seed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from orchestration.ingest.regions import (
    MATCH_COLUMNS,
    load_aliases,
    match_regions,
    normalize_region_name,
)
from orchestration.paths import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def aliases() -> pd.DataFrame:
    return load_aliases()


def _match(aliases, pairs, level=None) -> pd.DataFrame:
    names = pd.Series([name for name, _ in pairs])
    years = pd.Series([year for _, year in pairs])
    return match_regions(names, years, aliases, level=level)


def _one(aliases, name, year, level=None) -> pd.Series:
    return _match(aliases, [(name, year)], level).iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("石家庄市", "石家庄市"),
        (" 北 京 市 ", "北京市"),
        ("\u3000上海市\u3000", "上海市"),  # full-width (ideographic) spaces
        ("天津市*", "天津市"),
        ("天津市＊", "天津市"),  # full-width asterisk
        ("石家庄市①", "石家庄市"),
        ("廊坊市(1)", "廊坊市"),
        ("保定市１", "保定市"),  # full-width digit footnote
        ("Inner Mongolia", "innermongolia"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_region_name(raw, expected):
    assert normalize_region_name(raw) == expected


def test_load_aliases_columns_and_names(aliases):
    assert {"alias", "alias_norm", "code", "level", "valid_from", "valid_to", "region_name"} <= set(
        aliases
    )
    assert str(aliases["valid_to"].dtype) == "Int64"
    row = aliases[(aliases["alias"] == "襄樊")].iloc[0]
    assert (row["code"], row["region_name"], row["valid_to"]) == ("420600", "襄阳市", 2010)


def test_exact_and_alias_matches(aliases):
    out = _match(
        aliases,
        [
            ("石家庄市", 2015),
            ("石家庄", 2015),
            ("延边州", 2015),
            ("全国", 2020),
            ("广西", 2015),
            ("广西壮族自治区", 2015),
            ("Inner Mongolia", 2012),
        ],
    )
    assert out.columns.tolist() == MATCH_COLUMNS
    assert out["region_code"].tolist() == [
        "130100",
        "130100",
        "222400",
        "100000",
        "450000",
        "450000",
        "150000",
    ]
    assert out["match_status"].tolist() == [
        "exact",
        "alias",
        "alias",
        "exact",
        "alias",
        "exact",
        "alias",
    ]
    assert out["region_level"].tolist() == [
        "prefecture",
        "prefecture",
        "prefecture",
        "national",
        "province",
        "province",
        "province",
    ]
    assert out["region_name"].tolist()[2] == "延边朝鲜族自治州"
    assert out["candidates"].isna().all()


def test_printed_names_with_spaces_and_footnotes_match(aliases):
    out = _match(
        aliases, [("北  京", 2015), ("\u3000廊坊市①", 2015), ("天津市*", 2015)], level="prefecture"
    )
    assert out["region_code"].tolist() == ["110000", "131000", "120000"]
    assert out["match_status"].tolist() == ["alias", "exact", "exact"]


def test_chaohu_exists_only_until_2010(aliases):
    assert _one(aliases, "巢湖市", 2010)["region_code"] == "341400"
    later = _one(aliases, "巢湖市", 2012)
    assert later["match_status"] == "unmatched" and pd.isna(later["region_code"])
    # the quarantine sees why: the unit itself is the first candidate, with its years
    assert later["candidates"].startswith("巢湖市 (341400 巢湖市, until 2010)")


def test_xiangfan_is_the_former_name_of_xiangyang(aliases):
    out = _match(
        aliases,
        [("襄樊市", 2009), ("襄樊市", 2010), ("襄阳市", 2010), ("襄阳", 2020), ("襄樊市", 2015)],
    )
    assert out["region_code"].tolist()[:4] == ["420600"] * 4
    assert out["match_status"].tolist() == ["alias", "alias", "exact", "alias", "unmatched"]
    assert "420600 襄阳市, until 2010" in out["candidates"].iloc[4]


def test_laiwu_merged_into_jinan_in_2019(aliases):
    out = _match(aliases, [("莱芜市", 2018), ("莱芜", 2018), ("莱芜市", 2019), ("莱芜市", 2020)])
    assert out["region_code"].tolist()[:2] == ["371200", "371200"]
    assert out["match_status"].tolist()[2:] == ["unmatched", "unmatched"]


def test_a_name_can_mean_different_codes_in_different_years(aliases):
    # 毕节地区 (522400) became 毕节市 (520500) in 2011; the old name is still read in 2011
    out = _match(
        aliases,
        [
            ("毕节", 2010),
            ("毕节", 2012),
            ("毕节地区", 2010),
            ("毕节地区", 2011),
            ("毕节地区", 2013),
            ("毕节市", 2010),
        ],
    )
    assert out["region_code"].iloc[:4].tolist() == ["522400", "520500", "522400", "520500"]
    assert out["match_status"].iloc[4:].tolist() == ["unmatched", "unmatched"]
    # without a year the name is ambiguous, and the candidates say between what
    undated = _one(aliases, "毕节", None)
    assert undated["match_status"] == "ambiguous"
    assert "520500" in undated["candidates"] and "522400" in undated["candidates"]


def test_level_resolves_names_shared_by_a_province_and_a_city(aliases):
    both = _one(aliases, "吉林", 2015)
    assert both["match_status"] == "ambiguous" and pd.isna(both["region_code"])
    assert "220000" in both["candidates"] and "220200" in both["candidates"]
    assert _one(aliases, "吉林", 2015, level="province")["region_code"] == "220000"
    assert _one(aliases, "吉林", 2015, level="prefecture")["region_code"] == "220200"
    # an official full name wins over another unit's short name
    assert _one(aliases, "吉林市", 2015)["region_code"] == "220200"
    # a municipality is one code at both levels, reported as a province without a level
    assert _one(aliases, "北京市", 2015)[["region_code", "region_level"]].tolist() == [
        "110000",
        "province",
    ]
    assert _one(aliases, "北京市", 2015, level="prefecture")["region_level"] == "prefecture"
    # 海南 is the province; the Qinghai prefecture is 海南州
    assert _one(aliases, "海南", 2015)["region_code"] == "460000"
    assert _one(aliases, "海南", 2015, level="prefecture")["match_status"] == "unmatched"
    assert _one(aliases, "海南州", 2015)["region_code"] == "632500"


def test_unmatched_names_get_up_to_three_candidates(aliases):
    out = _match(
        aliases, [("石家庄地区", 2015), ("不存在的地方", 2015), (None, 2015)], level="prefecture"
    )
    assert (out["match_status"] == "unmatched").all()
    first = out["candidates"].iloc[0].split("; ")
    assert 1 <= len(first) <= 3
    assert "(130100 石家庄市" in first[0]
    assert pd.isna(out["candidates"].iloc[1]) or len(out["candidates"].iloc[1].split("; ")) <= 3
    assert pd.isna(out["candidates"].iloc[2])


def test_result_keeps_the_index_and_row_order(aliases):
    names = pd.Series(["莱芜市", "济南市", "莱芜市"], index=[30, 10, 20])
    years = pd.Series([2018, 2018, 2020], index=[30, 10, 20])
    out = match_regions(names, years, aliases)
    assert out.index.tolist() == [30, 10, 20]
    assert out["region_code"].iloc[:2].tolist() == ["371200", "370100"]
    assert out["match_status"].iloc[2] == "unmatched"


def test_bad_arguments(aliases):
    with pytest.raises(ValueError, match="level"):
        match_regions(pd.Series(["北京"]), pd.Series([2015]), aliases, level="county")
    with pytest.raises(ValueError, match="level"):
        match_regions(pd.Series(["北京"]), pd.Series([2015]), aliases, level=[])
    with pytest.raises(ValueError, match="length"):
        match_regions(pd.Series(["北京"]), pd.Series([2015, 2016]), aliases)


def test_250k_names_match_quickly(aliases):
    """Performance sanity (printed, not asserted: timing depends on the machine)."""
    cities = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "ref_cities.csv", dtype=str)[
        "city_name"
    ].to_numpy()
    rng = np.random.default_rng(7)
    n = 250_000
    names = pd.Series(rng.choice(cities, n))
    years = pd.Series(rng.integers(2010, 2025, n))
    names.iloc[::5000] = "某某市"
    started = time.perf_counter()
    out = match_regions(names, years, aliases, level="prefecture")
    print(f"\nmatch_regions: {n:,} names in {time.perf_counter() - started:.2f} s")
    assert len(out) == n
    assert (out.loc[names == "某某市", "match_status"] == "unmatched").all()
    # every 2023 unit matches in 2023 exactly under its full name
    in_2023 = years == 2023
    assert (out.loc[in_2023 & (names != "某某市"), "match_status"] == "exact").all()


# the real tables as bundled (byte copies of the reference collection's files; checked in
# test_ingest_long_export)
ST_YEARBOOK = DBT_PROJECT_DIR.parent / "warehouse" / "bundled" / "province_st_yearbook"


def test_real_provincial_tables_match_completely(aliases):
    """The region names of the real S&T yearbook extract (Chinese short names and 全国) and of
    the NBS English export all match, one code each, 31 provinces plus the national total."""
    st = pd.read_csv(ST_YEARBOOK / "long" / "techme" / "RDPatentAuthority.csv", dtype={"year": int})
    out = match_regions(st["province"], st["year"], aliases, ("national", "province"))
    assert out["match_status"].isin(["exact", "alias"]).all()
    # without the levels, 吉林 is the province or the city
    assert set(match_regions(st["province"], st["year"], aliases)["match_status"]) == {
        "exact",
        "alias",
        "ambiguous",
    }
    assert out["region_code"].nunique() == 32
    assert set(out.loc[st["province"] == "全国", "region_code"]) == {"100000"}
    nbs = pd.read_csv(ST_YEARBOOK / "originals" / "population_yearend_10k_2000_2017.csv")
    english = match_regions(nbs["Region"], pd.Series([2017] * len(nbs)), aliases, "province")
    assert english["region_code"].nunique() == 31 and english["region_code"].notna().all()
