"""A corrected file supersedes exactly the values it reprints."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.ingest.versions import keep_latest

CODES = {"石家庄市": "130100", "石 家 庄": "130100", "唐山市": "130200", "北京": "110000"}


def _values(source: str, rows: list[tuple]) -> pd.DataFrame:
    # region_code and indicator_code are what normalization attaches to the printed names
    return pd.DataFrame(
        [(source, year, region, CODES[region], "地区生产总值", "gdp", "万元", scope, value)
         for year, region, scope, value in rows],
        columns=["source_file", "year", "region_name", "region_code", "indicator_name",
                 "indicator_code", "unit", "scope", "value"],
    )


def test_newer_file_wins_per_value_and_older_values_survive() -> None:
    old = _values("city_yearbook/ccsy_2015.xlsx",
                  [(2015, "石家庄市", "全市", 1.0), (2015, "唐山市", "全市", 2.0),
                   (2015, "唐山市", "市辖区", 3.0)])
    new = _values("city_yearbook/ccsy_2015_corrected.xlsx",
                  [(2015, "石家庄市", "全市", 10.0), (2015, "唐山市", "全市", 20.0)])
    kept, superseded = keep_latest(
        pd.concat([old, new]), ["city_yearbook/ccsy_2015_corrected.xlsx",
                                "city_yearbook/ccsy_2015.xlsx"])
    by_key = kept.set_index(["region_name", "scope"])["value"].to_dict()
    assert by_key == {("石家庄市", "全市"): 10.0, ("唐山市", "全市"): 20.0,
                      ("唐山市", "市辖区"): 3.0}
    assert superseded == {"city_yearbook/ccsy_2015.xlsx": 2}


def test_a_respelled_region_supersedes_by_code() -> None:
    # The corrected edition prints "石 家 庄" where the first said 石家庄市: same city, same value.
    old = _values("ccsy_2015.xlsx", [(2015, "石家庄市", "全市", 1.0)])
    new = _values("ccsy_2015_v2.xlsx", [(2015, "石 家 庄", "全市", 10.0)])
    kept, superseded = keep_latest(pd.concat([old, new]), ["ccsy_2015_v2.xlsx", "ccsy_2015.xlsx"])
    assert kept["value"].tolist() == [10.0] and superseded == {"ccsy_2015.xlsx": 1}


def test_null_scope_keys_compare_equal() -> None:
    a = _values("a.csv", [(2020, "北京", None, 1.0)])
    b = _values("b.csv", [(2020, "北京", None, 2.0)])
    kept, superseded = keep_latest(pd.concat([a, b]), ["b.csv", "a.csv"])
    assert kept["value"].tolist() == [2.0] and superseded == {"a.csv": 1}


def test_distinct_years_do_not_supersede_each_other() -> None:
    a = _values("a.xlsx", [(2019, "北京", "全市", 1.0)])
    b = _values("b.xlsx", [(2020, "北京", "全市", 2.0)])
    kept, superseded = keep_latest(pd.concat([a, b]), ["b.xlsx", "a.xlsx"])
    assert len(kept) == 2 and superseded == {}


def test_unknown_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="precedence"):
        keep_latest(_values("x.xlsx", [(2020, "北京", "全市", 1.0)]), ["y.xlsx"])
