"""Printed units -> canonical units, from the one unit table `dbt_project/seeds/ref_units.csv`.

Every unit has a dimension (currency_cny, persons, count, ratio, ...) and its size in the
dimension's base unit (万元 = 10000 元). A conversion is allowed only within a dimension;
anything else is refused with a reason, never guessed: 美元 is currency_usd, so turning it
into 元 needs an exchange rate the warehouse does not have, and the value is quarantined.

The same seed is loaded by dbt (schema `ref`), so Python and SQL read one table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

UNITS_CSV = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "ref_units.csv"
UNIT_COLUMNS = ["unit", "dimension", "to_base", "base_unit", "name_en", "note"]

# Brackets a header may leave around a unit: "（万元）", "(%)", "[万人]".
_BRACKETS = "()（）[]【】"


class UnitError(ValueError):
    """A unit that cannot be read or converted; the message is the quarantine reason."""


@dataclass(frozen=True)
class Unit:
    unit: str  # spelling as listed in the table, e.g. 万元
    dimension: str  # e.g. currency_cny
    to_base: Fraction  # size in the dimension's base unit, exact (Fraction("0.01") for %)


def unit_key(text: object) -> str | None:
    """A printed unit as compared: full-width folded (NFKC: ％ -> %), without whitespace or
    surrounding brackets, case-folded ("10000 Persons" = "10000 persons"); None if blank."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    folded = unicodedata.normalize("NFKC", str(text))
    key = re.sub(r"\s+", "", folded).strip(_BRACKETS).casefold()
    return key or None


class UnitTable:
    """The unit table, looked up by printed spelling (see `unit_key`)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._units: dict[str, Unit] = {}
        for row in table.itertuples(index=False):
            key = unit_key(row.unit)
            if key is None:
                raise ValueError("unit table: a row has an empty unit")
            unit = Unit(str(row.unit), str(row.dimension), Fraction(str(row.to_base)))
            if unit.to_base <= 0:
                raise ValueError(f"unit table: {row.unit!r} has a non-positive size")
            if key in self._units:
                raise ValueError(f"unit table: {row.unit!r} is listed twice (as {key!r})")
            self._units[key] = unit

    @classmethod
    def from_csv(cls, path: Path = UNITS_CSV) -> UnitTable:
        return cls(pd.read_csv(path, dtype=str, keep_default_na=False))

    def __contains__(self, text: object) -> bool:
        return self.get(text) is not None

    def __iter__(self):
        return iter(self._units.values())

    def get(self, text: object) -> Unit | None:
        key = unit_key(text)
        return None if key is None else self._units.get(key)

    def factor(self, from_unit: object, to_unit: object) -> Fraction:
        """Exact multiplier from `from_unit` to `to_unit`; UnitError (with the quarantine
        reason as message) when either is unknown or they measure different things."""
        target = self.get(to_unit)
        if target is None:
            raise UnitError(f"target unit '{to_unit}' is not in the unit table (ref_units)")
        if unit_key(from_unit) is None:
            raise UnitError(f"no unit printed; cannot convert to {target.unit}")
        source = self.get(from_unit)
        if source is None:
            raise UnitError(f"unit '{from_unit}' is not in the unit table (ref_units)")
        if source.dimension != target.dimension:
            raise UnitError(
                f"unit '{from_unit}' cannot be converted to {target.unit} "
                f"({source.dimension}, not {target.dimension})"
            )
        return source.to_base / target.to_base


@lru_cache(maxsize=1)
def default_units() -> UnitTable:
    """The table shipped as the dbt seed `ref_units`."""
    return UnitTable.from_csv(UNITS_CSV)


def convert(
    values: Sequence[float] | pd.Series | np.ndarray,
    from_units: Sequence[object] | pd.Series | np.ndarray | str,
    to_unit: Sequence[object] | pd.Series | np.ndarray | str,
    units: UnitTable | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Convert `values` printed in `from_units` to `to_unit` (one unit, or one per value).

    Returns (converted, reason): `converted` is float64 (NaN where the conversion failed or
    the value was missing), `reason` is NULL where the conversion succeeded and otherwise
    says why it was refused. Both carry the index of `values` when it is a Series.

    Each distinct (from, to) pair is resolved once. Scaling to a larger unit divides by the
    exact integer ratio rather than multiplying by its inexact reciprocal, so 12345 万元 is
    1.2345 亿元, not 1.2345000000000002 (the dbt macro `convert_unit` does the same).
    """
    units = units or default_units()
    index = values.index if isinstance(values, pd.Series) else None
    raw = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    numbers = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    n = len(numbers)
    froms = _broadcast(from_units, n, "from_units")
    tos = _broadcast(to_unit, n, "to_unit")

    codes, first = group_rows(froms, tos)
    multiply = np.full(len(first), np.nan)
    divide = np.full(len(first), np.nan)
    reasons: list[str | None] = [None] * len(first)
    for k, i in enumerate(first):
        try:
            factor = units.factor(froms[i], tos[i])
        except UnitError as exc:
            reasons[k] = str(exc)
            continue
        if factor >= 1 and factor.denominator == 1:
            multiply[k] = float(factor.numerator)
        elif factor < 1 and factor.numerator == 1:
            divide[k] = float(factor.denominator)
        else:
            multiply[k] = float(factor)

    with np.errstate(invalid="ignore"):
        converted = np.where(
            np.isnan(divide[codes]), numbers * multiply[codes], numbers / divide[codes]
        )
    reason = np.array(reasons, dtype=object)[codes] if n else np.array([], dtype=object)
    return (
        pd.Series(converted, index=index, dtype="float64"),
        pd.Series(reason, index=index, dtype=object),
    )


def group_rows(
    *columns: Sequence[object] | np.ndarray | pd.Series,
) -> tuple[np.ndarray, np.ndarray]:
    """(group number of each row, position of each group's first row) for the distinct
    combinations of `columns` (NULLs form their own group), so that work per distinct value
    is done once: a file has a few dozen indicators and units over many thousand rows."""
    group = np.zeros(len(columns[0]) if columns else 0, dtype="int64")
    for column in columns:
        codes, uniques = pd.factorize(
            pd.Series(np.asarray(column, dtype=object)), use_na_sentinel=False
        )
        # re-factorizing keeps the combined code below the row count: no overflow
        group, _ = pd.factorize(group * (len(uniques) + 1) + codes)
    first = np.full(group.max() + 1 if len(group) else 0, -1, dtype="int64")
    # assigning in reverse leaves each group's smallest row position
    first[group[::-1]] = np.arange(len(group) - 1, -1, -1)
    return group, first


def _broadcast(units: object, n: int, name: str) -> np.ndarray:
    if units is None or isinstance(units, str):
        return np.full(n, units, dtype=object)
    array = np.asarray(units, dtype=object)
    if array.shape != (n,):
        raise ValueError(f"convert: {name} has {len(array)} entries for {n} values")
    return array
