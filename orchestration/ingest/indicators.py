"""Printed indicator names (or export codes) -> catalogue indicators in canonical units.

The catalogue (`dbt_project/seeds/ref_indicators.csv`) lists each indicator once with its
canonical unit; the aliases (`ref_indicator_aliases.csv`) list the texts that editions
and exports use for it. An alias is either a `name` (a printed header such as
地区生产总值, matched against `indicator_name`) or a `code` (an export's variable code
such as v4_cg_zlsq2_fm, matched against `indicator_key`). Where an export carries a code,
the code decides: names like 合计 or 发明 mean different things in different tables.

An alias may be scoped to files by `source_pattern`, a glob on the row's `source_file`
(e.g. `*RDPatentAuthority*`); a scoped alias that matches wins over unscoped ones. Two
aliases that still disagree make the row ambiguous, and it is quarantined like an unknown
indicator or a unit that cannot be converted to the canonical one; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.ingest import schema
from orchestration.ingest.units import UnitTable, convert, default_units, group_rows

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
CATALOGUE_CSV = SEEDS_DIR / "ref_indicators.csv"
ALIASES_CSV = SEEDS_DIR / "ref_indicator_aliases.csv"
CATALOGUE_COLUMNS = [
    "code", "name_zh", "name_en", "canonical_unit", "direction", "dimension", "level",
    "description",
]
ALIAS_COLUMNS = [
    "alias", "indicator_code", "alias_kind", "source_pattern", "preference", "unit_printed",
    "note",
]
ALIAS_KINDS = ("name", "code")
# Columns normalize_indicators adds to the reader's frame.
ADDED_COLUMNS = ["indicator_code", "canonical_unit", "value_canonical", "source_preference"]
TARGET_TABLE = "raw.city_yearbook_values"


@dataclass(frozen=True)
class _Alias:
    code: str
    pattern: str  # "" = any file
    preference: int


def text_key(text: object) -> str | None:
    """Indicator text as compared: NFKC-folded (full-width letters, ： and （ become ASCII),
    without whitespace, case-folded; None when blank."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()
    return key or None


def load_catalogue(path: Path = CATALOGUE_CSV) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)[CATALOGUE_COLUMNS]


def load_aliases(path: Path = ALIASES_CSV) -> pd.DataFrame:
    aliases = pd.read_csv(path, dtype=str, keep_default_na=False)[ALIAS_COLUMNS]
    return aliases.astype({"preference": "int64"})


def _alias_index(
    catalogue: pd.DataFrame, aliases: pd.DataFrame
) -> dict[tuple[str, str], list[_Alias]]:
    """(kind, text key) -> aliases; refuses a catalogue/alias table that contradicts itself."""
    codes = set(catalogue["code"])
    if len(codes) != len(catalogue):
        raise ValueError("indicator catalogue: duplicate code")
    index: dict[tuple[str, str], list[_Alias]] = {}
    for row in aliases.itertuples(index=False):
        if row.indicator_code not in codes:
            raise ValueError(
                f"indicator alias {row.alias!r} points to {row.indicator_code!r}, "
                "which is not in the catalogue"
            )
        if row.alias_kind not in ALIAS_KINDS:
            raise ValueError(f"indicator alias {row.alias!r}: kind {row.alias_kind!r}")
        key = text_key(row.alias)
        if key is None:
            raise ValueError(f"indicator alias for {row.indicator_code!r} is blank")
        pattern = "" if pd.isna(row.source_pattern) else str(row.source_pattern).strip()
        entries = index.setdefault((row.alias_kind, key), [])
        if any(a.pattern == pattern and a.code != row.indicator_code for a in entries):
            raise ValueError(
                f"indicator alias {row.alias!r} ({row.alias_kind}, scope {pattern or 'any'}) "
                "points to two indicators"
            )
        preference = 1 if pd.isna(row.preference) else int(row.preference)
        entries.append(_Alias(row.indicator_code, pattern, preference))
    return index


def _resolve(
    index: dict[tuple[str, str], list[_Alias]],
    kind: str,
    key: str | None,
    printed: str | None,
    name: str | None,
    source_file: str,
) -> tuple[str | None, int | None, str | None]:
    """(indicator code, preference, None) or (None, None, quarantine reason)."""
    if key is None:
        return None, None, "no indicator name or code"
    candidates = [
        a for a in index.get((kind, key), [])
        if not a.pattern or fnmatchcase(source_file, a.pattern)
    ]
    scoped = [a for a in candidates if a.pattern]
    chosen = scoped or candidates
    codes = sorted({a.code for a in chosen})
    if not codes:
        if kind == "code":
            named = f" ({name})" if name else ""
            return None, None, f"unknown indicator code '{printed}'{named}"
        return None, None, f"unknown indicator '{printed}'"
    if len(codes) > 1:
        return None, None, (
            f"ambiguous indicator '{printed}': aliases of {', '.join(codes)} all match "
            f"{source_file}"
        )
    return codes[0], min(a.preference for a in chosen), None


def normalize_indicators(
    values: pd.DataFrame,
    catalogue: pd.DataFrame | None = None,
    aliases: pd.DataFrame | None = None,
    units: UnitTable | None = None,
    target_table: str = TARGET_TABLE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a reader's long frame to catalogue indicators and convert to canonical units.

    `values` has the columns of `schema.CITY_YEARBOOK_VALUES` (indicator_name, unit, value
    and provenance), optionally plus `indicator_key` (an export's variable code). Returns
    (normalized, quarantine): normalized is `values`' rows that map to one indicator in a
    convertible unit, with `indicator_code`, `canonical_unit`, `value_canonical` (NULL where
    the printed value is NULL) and `source_preference` (the alias's preference: 1 = primary
    source; when two tables carry the same indicator, panels keep the lowest) added;
    quarantine (columns `schema.QUARANTINE`) has one row per other row, with the reason.
    Catalogue, aliases and units default to the dbt seeds.
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    aliases = load_aliases() if aliases is None else aliases
    units = units or default_units()
    index = _alias_index(catalogue, aliases)
    frame = values.reset_index(drop=True)
    n = len(frame)

    names = frame["indicator_name"] if "indicator_name" in frame else pd.Series([None] * n)
    keys = (
        frame["indicator_key"] if "indicator_key" in frame
        else pd.Series([None] * n, dtype=object)
    )
    # A file has a few dozen distinct indicators: resolve each (key, name, file) once.
    group, first = group_rows(keys, names, frame["source_file"])
    resolved = []
    for i in first:
        key, name = _str(keys.iat[i]), _str(names.iat[i])
        kind, printed = ("code", key) if text_key(key) is not None else ("name", name)
        resolved.append(_resolve(
            index, kind, text_key(printed), printed, name, str(frame["source_file"].iat[i])
        ))
    table = pd.DataFrame(resolved, columns=["code", "preference", "reason"], dtype=object)
    code = pd.Series(table["code"].to_numpy()[group], dtype=object)
    preference = pd.Series(table["preference"].to_numpy()[group], dtype="Int64")
    reason = pd.Series(table["reason"].to_numpy()[group], dtype=object)

    canonical = code.map(catalogue.set_index("code")["canonical_unit"])
    known = code.notna()
    converted = pd.Series(np.nan, index=frame.index, dtype="float64")
    if known.any():
        value_canonical, unit_reason = convert(
            frame.loc[known, "value"], frame.loc[known, "unit"].to_numpy(),
            canonical[known].to_numpy(), units,
        )
        converted[known] = value_canonical
        failed = unit_reason[unit_reason.notna()]
        reason[failed.index] = failed + "; indicator " + code[failed.index]

    ok = reason.isna()
    normalized = frame[ok].assign(
        indicator_code=code[ok].astype("str"),
        canonical_unit=canonical[ok].astype("str"),
        value_canonical=converted[ok],
        source_preference=preference[ok],
    ).reset_index(drop=True)
    bad = frame[~ok]
    quarantine = pd.DataFrame({
        **{c: bad[c] for c in schema.PROVENANCE},
        "target_table": target_table,
        "value_text": bad.get("value_text"),
        "reason": reason[~ok],
    }, columns=schema.QUARANTINE).reset_index(drop=True)
    quarantine = quarantine.astype({"source_row": "Int64", "source_col": "Int64"})
    return normalized, quarantine


def _str(value: object) -> str | None:
    return None if value is None or value is pd.NA or (
        isinstance(value, float) and np.isnan(value)
    ) else str(value)
