"""Unit table and conversion. Expected factors are the definitions of the units
(1 亿 = 10^4 万 = 10^8, 1 平方公里 = 100 公顷, 1 % = 10 ‰), typed here independently of
dbt_project/seeds/ref_units.csv."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from orchestration.ingest import units
from orchestration.ingest.units import UnitTable, convert, default_units, unit_key

MACRO = units.UNITS_CSV.parents[1] / "macros" / "convert_unit.sql"


@pytest.mark.parametrize(("value", "from_unit", "to_unit", "expected"), [
    (12345, "万元", "亿元", 1.2345),
    (3, "亿元", "元", 300_000_000),
    (2500, "千元", "万元", 250),
    (3, "万亿元", "亿元", 30_000),
    (7, "百万元", "万元", 700),
    (1234, "人", "万人", 0.1234),
    (2.5, "万人", "人", 25_000),
    (8, "千人", "人", 8_000),
    (2171, "10000 persons", "万人", 2171),
    (1, "万件", "件", 10_000),
    (5, "项", "件", 5),
    (3, "个", "项", 3),
    (7, "万美元", "美元", 70_000),
    (1, "亿美元", "万美元", 10_000),
    (2.5, "%", "‰", 25),
    (15, "‰", "%", 1.5),
    (1.5, "万人年", "人年", 15_000),
    (3, "平方公里", "公顷", 300),
    (250, "公顷", "平方公里", 2.5),
    (2, "千公顷", "平方公里", 20),
    (4, "万户", "户", 40_000),
    (6, "亿千瓦时", "万千瓦时", 60_000),
    (9, "万吨", "吨", 90_000),
    # printed spellings: full-width percent, brackets left on, spaces, English case
    (2.5, "％", "%", 2.5),
    (5, "（万元）", "亿元", 0.0005),
    (5, " 万 元 ", "万元", 5),
    (3, "10000 Yuan", "元", 30_000),
])
def test_each_conversion(value, from_unit, to_unit, expected):
    converted, reason = convert([value], [from_unit], to_unit)
    assert reason.iat[0] is None
    assert converted.iat[0] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(("from_unit", "to_unit", "reason"), [
    ("美元", "元", "unit '美元' cannot be converted to 元 (currency_usd, not currency_cny)"),
    ("万美元", "亿元",
     "unit '万美元' cannot be converted to 亿元 (currency_usd, not currency_cny)"),
    ("万元", "万人", "unit '万元' cannot be converted to 万人 (currency_cny, not persons)"),
    ("件", "人年", "unit '件' cannot be converted to 人年 (count, not person_years)"),
    ("%", "元", "unit '%' cannot be converted to 元 (ratio, not currency_cny)"),
    ("万斤", "吨", "unit '万斤' is not in the unit table (ref_units)"),
    (None, "亿元", "no unit printed; cannot convert to 亿元"),
    ("", "亿元", "no unit printed; cannot convert to 亿元"),
    ("万元", "万两", "target unit '万两' is not in the unit table (ref_units)"),
])
def test_refusals_are_quarantine_reasons_not_guesses(from_unit, to_unit, reason):
    converted, why = convert([100.0], [from_unit], to_unit)
    assert np.isnan(converted.iat[0])
    assert why.iat[0] == reason


def test_vectorized_keeps_the_index_and_tells_missing_values_from_refusals():
    values = pd.Series([12345.0, np.nan, 10.0, 2.0], index=[7, 7, 3, 9])
    converted, reason = convert(values, ["万元", "万元", "美元", "亿元"], ["亿元"] * 4)
    assert list(converted.index) == [7, 7, 3, 9]
    assert converted.iat[0] == 1.2345
    assert np.isnan(converted.iat[1]) and reason.iat[1] is None  # missing value, fine unit
    assert np.isnan(converted.iat[2]) and reason.iat[2].startswith("unit '美元'")
    assert converted.iat[3] == 2.0
    empty, empty_reason = convert([], [], "亿元")
    assert len(empty) == 0 and len(empty_reason) == 0


def test_scaling_up_divides_by_the_exact_ratio():
    # x * 0.0001 is off in the last bit for some x; x / 10000 is correctly rounded.
    printed = np.array([12345.0, 1.0, 3.0, 123456789.0, 7.0, 29.0])
    converted, _ = convert(printed, "万元", "亿元")
    np.testing.assert_array_equal(converted.to_numpy(), printed / 10_000)
    assert (printed * 0.0001 != printed / 10_000).any()


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="from_units has 1 entries for 2 values"):
        convert([1.0, 2.0], ["万元"], "亿元")


def test_table_refuses_duplicate_spellings_and_bad_sizes():
    rows = {"unit": ["万元", "万 元"], "dimension": ["c", "c"], "to_base": ["1", "2"]}
    with pytest.raises(ValueError, match="listed twice"):
        UnitTable(pd.DataFrame(rows))
    with pytest.raises(ValueError, match="non-positive"):
        UnitTable(pd.DataFrame({"unit": ["x"], "dimension": ["c"], "to_base": ["0"]}))


def test_every_dimension_has_its_base_unit():
    table = pd.read_csv(units.UNITS_CSV, dtype=str, keep_default_na=False)
    assert list(table.columns) == units.UNIT_COLUMNS
    for dimension, group in table.groupby("dimension"):
        bases = set(group["base_unit"])
        assert len(bases) == 1, dimension
        base = bases.pop()
        if base != "1":  # ratios are relative to the pure number 1, not a listed unit
            assert default_units().get(base).to_base == 1, dimension


def test_unit_key_folds_printing_variants():
    assert unit_key("（万元）") == unit_key("万元") == "万元"
    assert unit_key("％") == "%"
    assert unit_key("10000 Persons") == unit_key("10000persons")
    assert unit_key("  ") is None and unit_key(None) is None and unit_key(float("nan")) is None


def test_dbt_compile_time_unit_table_mirrors_the_seed():
    """The dbt macro keeps a compile-time copy of some units (for constant conversions in
    marts); every entry must equal the seed row."""
    entries = re.findall(
        r"'([^']+)':\s*\{'dimension':\s*'([^']+)',\s*'to_base':\s*([0-9.]+)\}",
        MACRO.read_text(encoding="utf-8"),
    )
    assert len(entries) >= 5
    for unit, dimension, to_base in entries:
        seed = default_units().get(unit)
        assert seed is not None, unit
        assert (seed.dimension, seed.to_base) == (dimension, Fraction(to_base)), unit


def test_group_rows_numbers_distinct_combinations_and_finds_their_first_row():
    group, first = units.group_rows(
        ["万元", "万元", None, "万元", None], ["亿元", "元", "亿元", "亿元", "亿元"]
    )
    assert group.tolist() == [0, 1, 2, 0, 2]
    assert first.tolist() == [0, 1, 2]
    empty_group, empty_first = units.group_rows([], [])
    assert len(empty_group) == 0 and len(empty_first) == 0
