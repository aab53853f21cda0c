"""The panels of the built warehouse: the balanced city panel of paper 002 on the demo, and the
province panel over the REAL provincial science-and-technology tables, checked against figures
stated by the source and against raw."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tests.conftest import Warehouse

pytestmark = pytest.mark.integration


def query(warehouse: Warehouse, sql: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        return con.execute(sql, params or []).df()


def test_balanced_panel_keeps_every_demo_city(built_warehouse: Warehouse) -> None:
    """The demo draws only cities unchanged in 2010-2024 and complete, so the rule of paper
    002 drops none: 198 x 15 = 2,970 city-years, the same cities as the generator's truth."""
    truth = pd.read_csv(built_warehouse.truth, dtype={"city_code": str})
    balanced = query(built_warehouse, "SELECT city_code, year FROM marts.city_panel_balanced")
    exclusions = query(built_warehouse, "SELECT * FROM marts.panel_exclusions")
    assert len(balanced) == len(truth) == 2970
    assert set(balanced["city_code"]) == set(truth["city_code"])
    assert exclusions.empty


def test_province_panel_matches_the_figures_the_source_states(
    built_warehouse: Warehouse,
) -> None:
    """warehouse/bundled/province_st_yearbook/SOURCE.md: domestic patents granted in 2020 -
    全国 3,520,901 (invention 440,691), Guangdong 709,725, Beijing 162,824 (official S&T
    yearbook / CNIPA figures)."""
    panel = query(built_warehouse, "SELECT province_name, patents_granted, patents_granted_imputed "
                                   "FROM marts.province_panel WHERE year = 2020")
    granted = panel.set_index("province_name")
    assert granted.loc["广东省", "patents_granted"] == 709725
    assert granted.loc["北京市", "patents_granted"] == 162824
    assert not granted["patents_granted_imputed"].any()
    national = query(built_warehouse,
                     "SELECT indicator_code, national_value FROM marts.province_national_check "
                     "WHERE year = 2020 AND indicator_code IN "
                     "('patents_granted', 'patents_granted_invention')")
    assert dict(zip(national["indicator_code"], national["national_value"], strict=True)) == {
        "patents_granted": 3520901, "patents_granted_invention": 440691}
    shape = query(built_warehouse, "SELECT count(*) AS n, count(DISTINCT province_code) AS p, "
                                   "min(year) AS y0, max(year) AS y1 FROM marts.province_panel")
    assert shape.iloc[0].tolist() == [31 * 14, 31, 2010, 2023]


def test_technology_market_2011_is_interpolated_from_raw_neighbours(
    built_warehouse: Warehouse,
) -> None:
    """The technology-market tables skip 2011 (SOURCE.txt: 2000, 2005, 2010, 2012-2023), an
    interior gap: every province's 2011 value is the mean of its 2010 and 2012 values as
    loaded in raw (万元 there, 亿元 in the panel), and flagged."""
    raw = query(built_warehouse,
                "SELECT region_code, year, value FROM raw.yearbook_long_values "
                "WHERE indicator_code = 'tech_market_inflow_value' AND year IN (2010, 2012) "
                "AND region_level = 'province' AND unit = '万元'")
    wide = raw.pivot(index="region_code", columns="year", values="value")
    expected = (wide[2010] + wide[2012]) / 2 / 1e4
    panel = query(built_warehouse,
                  "SELECT province_code, tech_market_inflow_value AS v, "
                  "tech_market_inflow_value_imputed AS imputed FROM marts.province_panel "
                  "WHERE year = 2011").set_index("province_code")
    assert len(expected) == 31
    assert panel["imputed"].all()
    pd.testing.assert_series_equal(panel.loc[expected.index, "v"], expected, check_names=False,
                                   rtol=1e-12)


def test_edge_gaps_are_not_extrapolated(built_warehouse: Warehouse) -> None:
    """R&D intensity starts in 2011 (RDIntense) and the NBS population export ends in 2017:
    with the default settings those edges stay NULL and unflagged."""
    edges = query(built_warehouse,
                  "SELECT count(*) FILTER (WHERE year = 2010 AND rd_intensity IS NULL) AS rd, "
                  "count(*) FILTER (WHERE year > 2017 AND population_resident IS NULL) AS pop, "
                  "count(*) FILTER (WHERE rd_intensity_imputed OR (year > 2017 AND "
                  "population_resident_imputed)) AS flagged FROM marts.province_panel")
    assert edges.iloc[0].tolist() == [31, 31 * 6, 0]


def test_national_check_passes_and_rd_expenditure_adds_up(built_warehouse: Warehouse) -> None:
    """No indicator-year is out of its tolerance, and in every table that carries R&D
    expenditure the 31 provinces, summed here from raw, are within 0.5 % of its national row."""
    check = query(built_warehouse, "SELECT status, count(*) AS n FROM "
                                   "marts.province_national_check GROUP BY status")
    assert "out_of_tolerance" not in set(check["status"])
    sums = query(built_warehouse, """
        SELECT source_file, year,
               count(value_canonical) FILTER (WHERE region_level = 'province') AS n,
               sum(value_canonical) FILTER (WHERE region_level = 'province') AS provinces,
               any_value(value_canonical) FILTER (WHERE region_level = 'national') AS national
        FROM raw.yearbook_long_values
        WHERE indicator_code = 'rd_expenditure'
        GROUP BY source_file, year""")
    complete = sums[(sums["n"] == 31) & sums["national"].notna()]
    assert set(complete["year"]) == set(range(2010, 2024))
    assert ((complete["provinces"] / complete["national"] - 1).abs() < 0.005).all()
