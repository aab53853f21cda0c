"""Indicator catalogue consistency and normalize_indicators on hand-built frames.

Expected codes and values are read off the fixture rows (12345 万元 = 1.2345 亿元 by the
definition of 亿 = 10^4 万); the demo's printed headers come from the demo generator, and
the techme variable codes straight from the bundled CSVs, not from the catalogue.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.demo import city as demo_data
from orchestration.ingest import indicators, schema
from orchestration.ingest.indicators import (
    ADDED_COLUMNS,
    load_aliases,
    load_catalogue,
    normalize_indicators,
    text_key,
)
from orchestration.ingest.layout import split_name_unit
from orchestration.ingest.units import default_units

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_LONG = ROOT / "warehouse" / "bundled" / "province_st_yearbook" / "long"
DEMO_CODES = {
    "gdp", "population", "fiscal_expenditure", "sei_revenue", "sei_employment",
    "employment_total", "employment_manufacturing", "employment_transport", "employment_ict",
    "employment_finance", "employment_business", "employment_research", "broadband_users",
    "mobile_users", "telecom_business",
}


# ------------------------------------------------------------------ catalogue consistency


def test_catalogue_columns_and_values():
    catalogue = load_catalogue()
    assert list(catalogue.columns) == indicators.CATALOGUE_COLUMNS
    assert catalogue["code"].is_unique and catalogue["name_zh"].is_unique
    assert set(catalogue["direction"]) <= {"+", "-"}
    assert set(catalogue["level"]) <= {"city", "province", "both"}
    assert (catalogue[["code", "name_zh", "name_en", "canonical_unit", "dimension"]] != "").all(
        axis=None
    )
    assert set(catalogue["code"]) >= DEMO_CODES


def test_every_canonical_unit_is_in_the_unit_table():
    units = default_units()
    missing = [u for u in load_catalogue()["canonical_unit"] if u not in units]
    assert missing == []


def test_every_alias_points_to_a_catalogue_code_and_a_matching_dimension():
    catalogue = load_catalogue().set_index("code")
    aliases = load_aliases()
    units = default_units()
    assert set(aliases["indicator_code"]) <= set(catalogue.index)
    assert set(aliases["alias_kind"]) <= {"name", "code"}
    # every indicator can be found by at least one alias
    assert set(catalogue.index) <= set(aliases["indicator_code"])
    for row in aliases[aliases["unit_printed"] != ""].itertuples():
        printed = units.get(row.unit_printed)
        canonical = units.get(catalogue.at[row.indicator_code, "canonical_unit"])
        assert printed is not None, row.alias
        assert printed.dimension == canonical.dimension, (row.alias, row.unit_printed)


def test_alias_texts_are_unique_within_their_scope():
    aliases = load_aliases()
    keys = list(zip(
        aliases["alias_kind"], aliases["alias"].map(text_key), aliases["source_pattern"],
        strict=True,
    ))
    assert len(keys) == len(set(keys))


def test_the_demo_yearbook_headers_map_to_the_demo_codes():
    printed = [
        split_name_unit(header)
        for _, _, _, blocks in demo_data.YEARBOOK_SHEETS for header, _, _ in blocks
    ]
    frame = _frame([(name, unit, 1.0) for name, unit in printed])
    normalized, quarantine = normalize_indicators(frame)
    assert quarantine.empty
    assert set(normalized["indicator_code"]) == DEMO_CODES


def test_every_techme_variable_code_has_an_alias():
    found: set[str] = set()
    for path in sorted((BUNDLED_LONG / "techme").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            found |= {row["variables"] for row in csv.DictReader(fh)}
    aliases = load_aliases()
    known = set(aliases.loc[aliases["alias_kind"] == "code", "alias"])
    # 12 patent + 4 activity + 4 more funding-source (合计 shared) + 2 intensity + 5 FTE
    # + 4 technology-market + 4 budget codes
    assert len(found) == 35
    assert found - known == set()


def test_contradicting_catalogue_or_aliases_are_refused():
    catalogue = load_catalogue()
    aliases = load_aliases()
    stray = pd.concat([aliases, aliases.head(1).assign(indicator_code="no_such_code")])
    with pytest.raises(ValueError, match="not in the catalogue"):
        normalize_indicators(_frame([("地区生产总值", "万元", 1.0)]), catalogue, stray)
    twice = pd.concat([aliases, aliases.head(1).assign(indicator_code="population")])
    with pytest.raises(ValueError, match="points to two indicators"):
        normalize_indicators(_frame([("地区生产总值", "万元", 1.0)]), catalogue, twice)


# ------------------------------------------------------------------ normalize_indicators


def _frame(rows, source_file="city_yearbook/ccsy_2020.xlsx", keys=None) -> pd.DataFrame:
    """Reader-shaped rows (indicator_name, unit, value); row i sits in spreadsheet row i + 4."""
    records = []
    for i, (name, unit, value) in enumerate(rows):
        records.append({
            "source_file": source_file, "source_sha256": "ab" * 32, "sheet": "人口与经济",
            "source_row": i + 4, "source_col": 2, "year": 2020, "region_name": "石家庄市",
            "indicator_name": name, "unit": unit, "scope": "全市",
            "value_text": None if value is None else f"{value:g}",
            "value": np.nan if value is None else value,
        })
    frame = pd.DataFrame(records, columns=schema.CITY_YEARBOOK_VALUES)
    if keys is not None:
        frame["indicator_key"] = keys
    return frame


def test_normalize_converts_and_quarantines_exactly():
    frame = _frame([
        ("地区生产总值", "万元", 12345.0),         # row 4: 1.2345 亿元
        ("年末户籍人口", "万人", None),             # row 5: a printed missing marker
        ("人均公园绿地面积", "平方米", 14.0),       # row 6: not in the catalogue
        ("地区生产总值", "美元", 3.0),              # row 7: needs an exchange rate
        ("地方一般公共预算支出", None, 7.0),        # row 8: no unit printed
        ("战略性新兴产业营业收入", "万斤", 2.0),    # row 9: unit not in the table
        ("地区 生产总值", "（亿元）", 2.5),         # row 10: spacing and brackets as printed
        ("GDP", "亿元", 4.0),                       # row 11: an alias
    ])
    normalized, quarantine = normalize_indicators(frame)

    assert list(normalized.columns) == [*schema.CITY_YEARBOOK_VALUES, *ADDED_COLUMNS]
    got = normalized[["source_row", "indicator_code", "canonical_unit", "value_canonical"]]
    assert got["source_row"].tolist() == [4, 5, 10, 11]
    assert got["indicator_code"].tolist() == ["gdp", "population", "gdp", "gdp"]
    assert got["canonical_unit"].tolist() == ["亿元", "万人", "亿元", "亿元"]
    assert got["value_canonical"].iat[0] == 1.2345
    assert np.isnan(got["value_canonical"].iat[1])
    assert got["value_canonical"].iloc[2:].tolist() == [2.5, 4.0]
    assert normalized["source_preference"].tolist() == [1, 1, 1, 1]

    expected = pd.DataFrame({
        "source_file": "city_yearbook/ccsy_2020.xlsx",
        "source_sha256": "ab" * 32,
        "sheet": "人口与经济",
        "source_row": pd.array([6, 7, 8, 9], dtype="Int64"),
        "source_col": pd.array([2, 2, 2, 2], dtype="Int64"),
        "target_table": "raw.city_yearbook_values",
        "value_text": ["14", "3", "7", "2"],
        "reason": [
            "unknown indicator '人均公园绿地面积'",
            "unit '美元' cannot be converted to 亿元 (currency_usd, not currency_cny); "
            "indicator gdp",
            "no unit printed; cannot convert to 亿元; indicator fiscal_expenditure",
            "unit '万斤' is not in the unit table (ref_units); indicator sei_revenue",
        ],
    })
    pd.testing.assert_frame_equal(quarantine, expected, check_dtype=False)
    assert list(quarantine.columns) == schema.QUARANTINE
    assert len(normalized) + len(quarantine) == len(frame)


def test_export_codes_decide_and_names_are_scoped_to_their_table():
    rows = [("发明", "件", 10.0), ("发明", "件", 20.0), ("合计", "件", 30.0), ("发明", "件", 40.0)]
    keys = ["v4_cg_zlsq2_fm", "v4_cg_zlsq_fm", "v9_unknown_hj", None]
    granted = "yearbook_long/techme/RDPatentAuthority.csv"
    normalized, quarantine = normalize_indicators(
        _frame(rows, granted, keys), target_table="raw.yearbook_long_values"
    )
    # the code wins over the table the name is scoped to: zlsq_fm are applications
    assert normalized["indicator_code"].tolist() == [
        "patents_granted_invention", "patent_applications_invention", "patents_granted_invention",
    ]
    assert normalized["value_canonical"].tolist() == [10.0, 20.0, 40.0]
    assert quarantine["reason"].tolist() == ["unknown indicator code 'v9_unknown_hj' (合计)"]
    assert quarantine["target_table"].tolist() == ["raw.yearbook_long_values"]

    # without a code, 发明 means applications in RDPatentAccept and nothing in another file
    accepted, _ = normalize_indicators(
        _frame([("发明", "件", 1.0)], "yearbook_long/techme/RDPatentAccept.csv")
    )
    assert accepted["indicator_code"].tolist() == ["patent_applications_invention"]
    _, elsewhere = normalize_indicators(_frame([("发明", "件", 1.0)], "yearbook_long/x.csv"))
    assert elsewhere["reason"].tolist() == ["unknown indicator '发明'"]


def test_a_repeated_indicator_carries_its_source_preference():
    rows = [("合计", "万元", 333570688.0), ("RD经费", "亿元", 33357.1)]
    activity, _ = normalize_indicators(_frame(
        rows[:1], "yearbook_long/techme/RDActivity.csv", ["v4_zh_nbzc_hj"]
    ))
    source, _ = normalize_indicators(_frame(
        rows[:1], "yearbook_long/techme/RDSource.csv", ["v4_zh_nbzc_hj"]
    ))
    intense, _ = normalize_indicators(_frame(
        rows[1:], "yearbook_long/techme/RDIntense.csv", ["v4_ztr_jf_RD"]
    ))
    for frame in (activity, source, intense):
        assert frame["indicator_code"].tolist() == ["rd_expenditure"]
    assert activity["value_canonical"].iat[0] == 33357.0688
    assert [f["source_preference"].iat[0] for f in (activity, source, intense)] == [1, 2, 2]


def test_two_scoped_aliases_that_disagree_make_the_row_ambiguous():
    aliases = pd.DataFrame({
        "alias": ["合计", "合计"], "indicator_code": ["gdp", "fiscal_expenditure"],
        "alias_kind": ["name", "name"], "source_pattern": ["*2020*", "*ccsy*"],
        "preference": [1, 1], "unit_printed": ["", ""], "note": ["", ""],
    })
    _, quarantine = normalize_indicators(
        _frame([("合计", "万元", 1.0)]), load_catalogue(), aliases
    )
    assert quarantine["reason"].tolist() == [
        "ambiguous indicator '合计': aliases of fiscal_expenditure, gdp all match "
        "city_yearbook/ccsy_2020.xlsx"
    ]


def test_blank_indicator_and_empty_input():
    _, quarantine = normalize_indicators(_frame([(None, "万元", 1.0)]))
    assert quarantine["reason"].tolist() == ["no indicator name or code"]
    normalized, quarantine = normalize_indicators(_frame([]))
    assert normalized.empty and quarantine.empty
    assert list(normalized.columns) == [*schema.CITY_YEARBOOK_VALUES, *ADDED_COLUMNS]
    assert list(quarantine.columns) == schema.QUARANTINE
