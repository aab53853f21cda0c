"""Long exports (one row per region x year x indicator) -> raw long rows.

Data platforms (EPS, CNKI, the NBS site) and the provincial science-and-technology tables
in `warehouse/bundled/province_st_yearbook/` deliver yearbook data already long: region,
year, indicator, value, unit, and often a variable code. Columns are mapped by header name,
Chinese or English (never by position); the header is the first row, among the first
`HEADER_SEARCH_ROWS`, that names the required columns, so a title line above it is fine.

Each data row becomes one raw row with the columns of `schema.CITY_YEARBOOK_VALUES` plus
`indicator_key` (the export's variable code, e.g. v4_cg_zlsq2_fm, or NULL): sheet is ''
for CSV and Parquet, source_row is the 1-based row of the file (header row = 1 when it is
the first line), source_col and scope are NULL. A blank value or a printed missing marker
is a NULL value; a row without region or year, or with a value that is not a number, goes
to quarantine with the reason. Indicators and units are mapped to the catalogue afterwards
by `indicators.normalize_indicators`.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata

import numpy as np
import pandas as pd

from orchestration.ingest import schema
from orchestration.ingest.grid import cell_text
from orchestration.ingest.landing import IngestError, LandingFile, read_csv_grid
from orchestration.ingest.layout import is_note, parse_value, split_name_unit
from orchestration.ingest.patents import header_key
from orchestration.ingest.units import default_units, unit_key

TARGET_TABLE = "raw.yearbook_long_values"
COLUMNS = [*schema.CITY_YEARBOOK_VALUES, "indicator_key"]
HEADER_SEARCH_ROWS = 20
# Export header -> canonical field; when two headers map to one field, the first listed
# here wins (e.g. 指标 before chn_block4).
COLUMN_MAP: dict[str, str] = {
    "地区": "region_name",
    "地区名称": "region_name",
    "省份": "region_name",
    "省份名称": "region_name",
    "省": "region_name",
    "城市": "region_name",
    "城市名称": "region_name",
    "region": "region_name",
    "region_name": "region_name",
    "province": "region_name",
    "city": "region_name",
    "area": "region_name",
    "年份": "year",
    "年度": "year",
    "年": "year",
    "时间": "year",
    "year": "year",
    "time": "year",
    "指标": "indicator_name",
    "指标名称": "indicator_name",
    "项目": "indicator_name",
    "indicator": "indicator_name",
    "indicator_name": "indicator_name",
    "item": "indicator_name",
    "chn_block4": "indicator_name",
    "数值": "value",
    "值": "value",
    "数据": "value",
    "value": "value",
    "单位": "unit",
    "计量单位": "unit",
    "unit": "unit",
    "units": "unit",
    "指标代码": "indicator_key",
    "指标编码": "indicator_key",
    "变量": "indicator_key",
    "变量名": "indicator_key",
    "variables": "indicator_key",
    "variable": "indicator_key",
    "indicator_code": "indicator_key",
    "indicator_key": "indicator_key",
    "code": "indicator_key",
}
REQUIRED = ("region_name", "year", "value")
# Statistical software writes these for "no value"; like the printed dashes, they are a
# NULL value, not an error.
EXPORT_MISSING = frozenset({"NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
_YEAR = re.compile(r"^((?:19|20)\d{2})(?:\.0+)?(?:年(?:度)?)?$")
_EXCERPT = 200


def map_columns(headers: list[object]) -> dict[str, int]:
    """Canonical field -> position of the header it is read from (first alias found wins)."""
    positions: dict[str, int] = {}
    for i, header in enumerate(headers):
        if isinstance(header, str):
            positions.setdefault(header_key(str(header)), i)
    mapping: dict[str, int] = {}
    for alias, field in COLUMN_MAP.items():
        i = positions.get(header_key(alias))
        if i is not None and field not in mapping:
            mapping[field] = i
    return mapping


def _has_required(mapping: dict[str, int]) -> bool:
    return all(f in mapping for f in REQUIRED) and (
        "indicator_name" in mapping or "indicator_key" in mapping
    )


def is_long_export_header(headers: list[object]) -> bool:
    """Whether a header row names region, year, value and an indicator (name or code), i.e.
    the file is for this reader (e.g. to tell a long CSV from a printed yearbook table)."""
    return _has_required(map_columns(headers))


def read_long_export(file: LandingFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one long export (.csv, .xlsx or .parquet) into (values with columns `COLUMNS`,
    quarantine with `schema.QUARANTINE`).

    Raises IngestError naming the file when it is empty or corrupt, or when no sheet has a
    header naming region, year, value and an indicator (name or code).
    """
    grids = _load(file)
    values, quarantine, problems = [], [], []
    for sheet, grid in grids.items():
        texts = grid.map(cell_text) if len(grid) else grid
        if not texts.notna().any().any():
            continue  # an empty sheet holds nothing that could be lost
        header = _find_header(texts)
        if header is None:
            found = [t for t in texts.iloc[0].tolist() if isinstance(t, str)] if len(texts) else []
            problem = (
                "no header naming region, year, value and indicator "
                f"(first row: {', '.join(found) or 'blank'})"
            )
            problems.append(f"sheet {sheet!r}: {problem}" if sheet else problem)
            if sheet:
                quarantine.append(_sheet_rejected(file, sheet, texts, problem))
            continue
        row, mapping = header
        v, q = _read_rows(file, sheet, grid, texts, row, mapping)
        values.append(v)
        quarantine.append(q)
    if not values:
        detail = "; ".join(problems) if problems else "no data"
        raise IngestError(f"{file.relpath}: not a long export ({detail})")
    return (
        pd.concat(values, ignore_index=True)[COLUMNS],
        pd.concat(quarantine, ignore_index=True)[schema.QUARANTINE].astype(
            {"source_row": "Int64", "source_col": "Int64"}
        ),
    )


def read_long_sheet(
    file: LandingFile, sheet: str, grid: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, int, dict[str, int]] | None:
    """One sheet (a grid of cells, header included) read as a long export: (values,
    quarantine, non-blank rows read, rows skipped by kind), or None when no row among the
    first `HEADER_SEARCH_ROWS` names region, year, value and an indicator."""
    texts = grid.map(cell_text) if len(grid) else grid
    header = _find_header(texts) if len(texts) else None
    if header is None:
        return None
    row, mapping = header
    filled = texts.notna().any(axis=1).to_numpy()
    # Trailer lines ("注：…", "数据来源：国家统计局") are notes, not records.
    first_text = texts.bfill(axis=1).iloc[:, 0] if texts.shape[1] else texts.iloc[:, 0]
    notes = first_text.map(is_note).to_numpy() & (np.arange(len(texts)) > row)
    body_grid, body_texts = grid.copy(), texts.copy()
    body_grid.loc[notes, :] = None
    body_texts.loc[notes, :] = None
    values, quarantine = _read_rows(file, sheet, body_grid, body_texts, row, mapping)
    skipped = {"title or preamble": int(filled[:row].sum()), "header": 1,
               "note": int(notes.sum())}
    return values[COLUMNS], quarantine, int(filled.sum()), skipped


# ---------------------------------------------------------------------------- loading


def _load(file: LandingFile) -> dict[str, pd.DataFrame]:
    """Sheet name ('' for CSV/Parquet) -> grid of cells (object dtype), header included."""
    if not file.path.exists() or file.path.stat().st_size == 0:
        raise IngestError(f"{file.relpath}: empty file")
    suffix = file.path.suffix.lower()
    if suffix == ".csv":
        return {"": _load_csv(file)}
    try:
        if suffix == ".parquet":
            table = pd.read_parquet(file.path).reset_index(drop=True)
            header = pd.DataFrame([list(table.columns)], dtype=object)
            body = pd.DataFrame(table.to_numpy(dtype=object))
            return {"": pd.concat([header, body], ignore_index=True)}
        if suffix in {".xlsx", ".xlsm"}:
            # dtype=object keeps cells as openpyxl returns them, so value_text shows what
            # was printed; keep_default_na=False keeps "NA" as text, decided below.
            return pd.read_excel(
                file.path, sheet_name=None, header=None, dtype=object,
                keep_default_na=False, engine="openpyxl",
            )
    except Exception as exc:  # parquet and openpyxl raise many types for damaged files
        raise IngestError(
            f"{file.relpath}: cannot read long export ({type(exc).__name__}: {exc})"
        ) from exc
    raise IngestError(f"{file.relpath}: unsupported long export type {suffix!r}")


def _load_csv(file: LandingFile) -> pd.DataFrame:
    return read_csv_grid(file)


# ---------------------------------------------------------------------------- rows


def _find_header(texts: pd.DataFrame) -> tuple[int, dict[str, int]] | None:
    for r in range(min(HEADER_SEARCH_ROWS, len(texts))):
        mapping = map_columns(texts.iloc[r].tolist())
        if _has_required(mapping):
            return r, mapping
    return None


def _read_rows(
    file: LandingFile,
    sheet: str,
    grid: pd.DataFrame,
    texts: pd.DataFrame,
    header_row: int,
    mapping: dict[str, int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    body = texts.iloc[header_row + 1:]
    cells = grid.iloc[header_row + 1:]
    # Blank lines carry nothing; the row numbers below are taken before dropping them.
    filled = body.notna().any(axis=1)
    body, cells = body[filled], cells[filled]
    n = len(body)
    row_no = pd.Series(body.index.to_numpy() + 1, index=body.index, dtype="int64")

    def field(name: str) -> pd.Series:
        if name in mapping:
            return body.iloc[:, mapping[name]]
        return pd.Series([None] * n, index=body.index, dtype=object)

    region, year_text, value_text = field("region_name"), field("year"), field("value")
    name, key, unit = field("indicator_name"), field("indicator_key"), field("unit")
    year = _parse_years(year_text)
    value, value_problem = _parse_values(cells.iloc[:, mapping["value"]], value_text)
    name, unit, unit_problem = _split_units(name, unit)

    problems = pd.DataFrame({
        "region": np.where(region.isna(), "no region name", None),
        "year": np.where(
            year_text.isna(), "missing year",
            np.where(year.isna(), "unreadable year '" + year_text.fillna("") + "'", None),
        ),
        "indicator": np.where(name.isna() & key.isna(), "no indicator name or code", None),
        "value": value_problem,
        "unit": unit_problem,
    }, index=body.index)
    reason = pd.Series([
        "; ".join(p for p in row if isinstance(p, str))
        for row in problems.itertuples(index=False)
    ], index=body.index, dtype=object)
    bad = reason != ""

    good = ~bad
    values = pd.DataFrame({
        "source_file": file.relpath,
        "source_sha256": file.sha256,
        "sheet": sheet,
        "source_row": row_no[good],
        "source_col": pd.array([pd.NA] * int(good.sum()), dtype="Int64"),
        "year": year[good].astype("int64"),
        "region_name": region[good].astype("str"),
        "indicator_name": name[good].astype("str"),
        "unit": unit[good].astype("str"),
        "scope": pd.Series([None] * int(good.sum()), index=body.index[good], dtype="str"),
        "value_text": value_text[good].astype("str"),
        "value": value[good].astype("float64"),
        "indicator_key": key[good].astype("str"),
    }, columns=COLUMNS).reset_index(drop=True)

    headers = texts.iloc[header_row].tolist()
    excerpts = [
        " | ".join(f"{h}={t}" for h, t in zip(headers, row, strict=True) if isinstance(t, str))
        [:_EXCERPT]
        for row in body[bad].itertuples(index=False)
    ]
    quarantine = pd.DataFrame({
        "source_file": file.relpath,
        "source_sha256": file.sha256,
        "sheet": sheet,
        "source_row": pd.array(row_no[bad].to_numpy(), dtype="Int64"),
        "source_col": pd.array([pd.NA] * len(excerpts), dtype="Int64"),
        "target_table": TARGET_TABLE,
        "value_text": excerpts,
        "reason": reason[bad].to_numpy(dtype=object),
    }, columns=schema.QUARANTINE)
    return values, quarantine


def _parse_years(text: pd.Series) -> pd.Series:
    """2020, '2020', '2020.0', '2020年' -> 2020; anything else NULL."""
    digits = text.str.replace(r"\s+", "", regex=True).str.extract(_YEAR, expand=False)
    return pd.to_numeric(digits, errors="coerce").astype("Int64")


def _parse_values(cells: pd.Series, text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(number or NaN, problem or None) per row; each distinct printed value parsed once."""
    parsed = {t: _parse_value(t) for t in pd.unique(text.dropna())}
    numbers_ = np.full(len(text), np.nan)
    problems = np.full(len(text), None, dtype=object)
    for i, (cell, t) in enumerate(zip(cells, text, strict=True)):
        if not isinstance(t, str):
            continue
        if isinstance(cell, numbers.Real) and not isinstance(cell, bool):
            number = float(cell)
            if math.isfinite(number):
                numbers_[i] = number
            else:
                problems[i] = f"not a number: '{t}'"
            continue
        numbers_[i], problems[i] = parsed[t]
    return pd.Series(numbers_, index=text.index), problems


def _parse_value(text: str) -> tuple[float, str | None]:
    if unicodedata.normalize("NFKC", text) in EXPORT_MISSING:
        return np.nan, None
    number, problem = parse_value(text, text)
    return (np.nan if number is None else number), problem


def _split_units(
    name: pd.Series, unit: pd.Series
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Take a unit printed in the indicator name ('地区生产总值（亿元）') out of the name.

    Only a known unit is taken out (a parenthetical such as '（当年价格）' stays in the
    name). When the unit column is blank the name's unit fills it; when both are given and
    differ, the row is quarantined: which one is right cannot be told from the file.
    """
    units = default_units()
    names, units_out = name.copy(), unit.copy()
    problems = np.full(len(name), None, dtype=object)
    bracketed = name.notna() & name.str.contains(r"[)）]$", regex=True)
    pairs = pd.DataFrame({"name": name, "unit": unit})[bracketed].drop_duplicates()
    for pair in pairs.itertuples(index=False):
        base, in_name = split_name_unit(pair.name)
        if in_name is None or in_name not in units:
            continue
        rows = (name == pair.name) & (unit.isna() if pd.isna(pair.unit) else unit == pair.unit)
        names[rows] = base
        if pd.isna(pair.unit):
            units_out[rows] = in_name
        elif unit_key(pair.unit) != unit_key(in_name):
            problems[rows.to_numpy()] = (
                f"unit column '{pair.unit}' contradicts the unit in the indicator name "
                f"'{pair.name}'"
            )
    return names, units_out, problems


def _sheet_rejected(
    file: LandingFile, sheet: str, texts: pd.DataFrame, problem: str
) -> pd.DataFrame:
    excerpt = " | ".join(t for t in texts.head(3).to_numpy().ravel() if isinstance(t, str))
    return pd.DataFrame([{
        "source_file": file.relpath, "source_sha256": file.sha256, "sheet": sheet,
        "source_row": None, "source_col": None, "target_table": TARGET_TABLE,
        "value_text": excerpt[:_EXCERPT], "reason": f"sheet skipped: {problem}",
    }], columns=schema.QUARANTINE)
