"""City yearbook workbooks (China City Statistical Yearbook layout) -> long raw rows.

Layout rules the reader relies on, and nothing more (no fixed cell addresses):

* a title row somewhere above the header containing the data year as "（2010年）" or
  "(2010年)"; without one, the first 4-digit year in the file name is used;
* a two-row header block: a row whose first non-blank cell is 城市/地区 (the region
  column), and directly under it a row holding 全市/市辖区. Indicator headers
  ("名称（单位）") are merged across their scope columns, so a blank top cell takes the
  header to its left;
* data rows below: region name in the region column, one value per indicator x scope.

Every non-blank cell of the data area becomes exactly one row: a value (a number, or
NULL for a printed missing marker) or a quarantine row with the reason.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from orchestration.ingest import schema
from orchestration.ingest.landing import IngestError, LandingFile, read_csv_grid

TARGET_TABLE = "raw.city_yearbook_values"
HEADER_FIRST_CELLS = frozenset({"城市", "地区", "城市名称", "地区名称"})
SCOPES = frozenset({"全市", "市辖区"})
# Printed "no data" markers: legitimate missing values, kept as NULL with their text.
MISSING_MARKERS = frozenset({"—", "——", "…", "……", "...", "-", "--", "－", "–", "―"})
FOOTNOTE_PREFIXES = ("注", "资料来源")

_TITLE_YEAR = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年\s*[)）]")
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NAME_UNIT = re.compile(r"^(.*?)\s*[（(]([^（）()]+)[)）]$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_WIDE = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_SPACE_NEAR_WIDE = re.compile(rf" ?({_WIDE}) ?")
_EXCERPT = 200


@dataclass(frozen=True)
class _Column:
    indicator_name: str
    unit: str | None
    scope: str | None


def read_city_yearbook(file: LandingFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one yearbook file (.xlsx, or .csv in the same layout) into
    (values with columns `schema.CITY_YEARBOOK_VALUES`, quarantine with `schema.QUARANTINE`).

    Raises IngestError (naming the file) when the file is empty, corrupt, or has no sheet
    with a recognizable header block and data year.
    """
    sheets = _load_sheets(file)
    values: list[dict] = []
    quarantine: list[dict] = []
    readable = 0
    problems: list[str] = []
    for sheet_name, frame in sheets.items():
        grid = frame.to_numpy(dtype=object).tolist()
        texts = [[cell_text(v) for v in row] for row in grid]
        if not any(t is not None for row in texts for t in row):
            continue  # an empty sheet holds nothing that could be lost
        n_blocks, sheet_problems = _read_sheet(file, sheet_name, grid, texts, values, quarantine)
        readable += n_blocks
        problems += [f"sheet {sheet_name!r}: {p}" for p in sheet_problems]
    if not readable:
        detail = "; ".join(problems) if problems else "all sheets are empty"
        raise IngestError(f"{file.relpath}: no readable sheet ({detail})")
    return _values_frame(values), _quarantine_frame(quarantine)


# ---------------------------------------------------------------------------- loading


def _load_sheets(file: LandingFile) -> dict[str, pd.DataFrame]:
    if not file.path.exists() or file.path.stat().st_size == 0:
        raise IngestError(f"{file.relpath}: empty file")
    suffix = file.path.suffix.lower()
    if suffix == ".csv":
        return {"": _load_csv(file)}
    try:
        # dtype=object keeps each cell as openpyxl returns it (int/float/str), so value_text
        # can show integers without a spurious ".0"; keep_default_na=False keeps text such
        # as "NA" or "nan" as printed, to be quarantined rather than dropped as blank.
        return pd.read_excel(
            file.path, sheet_name=None, header=None, dtype=object, keep_default_na=False,
            engine="openpyxl" if suffix == ".xlsx" else None,
        )
    except ImportError as exc:
        raise IngestError(
            f"{file.relpath}: reading {suffix} workbooks needs a package that is not "
            f"installed ({exc}); save the workbook as .xlsx"
        ) from exc
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IngestError(
            f"{file.relpath}: cannot read workbook ({type(exc).__name__}: {exc})"
        ) from exc


def _load_csv(file: LandingFile) -> pd.DataFrame:
    return read_csv_grid(file)


# ---------------------------------------------------------------------------- cells


def cell_text(value: object) -> str | None:
    """The cell as printed (integral floats without '.0'), or None when it is blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    text = str(value).strip()
    return text or None


def _parse_value(value: object, text: str) -> tuple[float | None, str | None]:
    """(number or None, quarantine reason or None) for one non-blank data cell."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        return (number, None) if math.isfinite(number) else (None, f"not a number: {text!r}")
    if not isinstance(value, str):
        return None, f"not a number: {text!r} ({type(value).__name__} cell)"
    wide_folded = unicodedata.normalize("NFKC", text)
    if text in MISSING_MARKERS or wide_folded in MISSING_MARKERS:
        return None, None
    # Thousands separators and stray spaces are printing artefacts, not data.
    compact = re.sub(r"[\s,]", "", wide_folded)
    if _NUMBER.match(compact):
        return float(compact), None
    return None, f"not a number: {text!r}"


def _squash(text: str | None) -> str:
    """Text without any whitespace, for matching labels printed as "城　市" or "全 市"."""
    return re.sub(r"\s+", "", text or "")


def _clean_header(text: str) -> str:
    return _SPACE_NEAR_WIDE.sub(r"\1", re.sub(r"\s+", " ", text).strip())


def split_name_unit(header: str) -> tuple[str, str | None]:
    """'地区生产总值（万元）' -> ('地区生产总值', '万元'); a header without a unit keeps None."""
    header = _clean_header(header)
    match = _NAME_UNIT.match(header)
    if match and match.group(1):
        return match.group(1).strip(), match.group(2).strip()
    return header, None


# ---------------------------------------------------------------------------- sheets


def _header_rows(texts: list[list[str | None]]) -> list[tuple[int, int]]:
    """(row index, region column index) of every header block in the sheet."""
    found = []
    for r in range(len(texts) - 1):
        first = next((c for c, t in enumerate(texts[r]) if t is not None), None)
        if first is None or _squash(texts[r][first]) not in HEADER_FIRST_CELLS:
            continue
        if any(_squash(t) in SCOPES for t in texts[r + 1]):
            found.append((r, first))
    return found


def _title_year(texts: list[list[str | None]], start: int, stop: int) -> int | None:
    """Year of the title closest above the header (rows start..stop-1)."""
    for r in range(stop - 1, start - 1, -1):
        for t in texts[r]:
            match = _TITLE_YEAR.search(t or "")
            if match:
                return int(match.group(1))
    return None


def _header_columns(
    texts: list[list[str | None]], h: int, region_col: int
) -> dict[int, _Column]:
    top_row, sub_row = texts[h], texts[h + 1]
    columns: dict[int, _Column] = {}
    carried: str | None = None
    for c in range(region_col + 1, len(top_row)):
        top, sub = top_row[c], sub_row[c]
        if top is not None:
            carried = top
        elif sub is not None:
            # A merged header cell is read as its top-left cell plus blanks: the blank
            # belongs to the header on its left.
            top = carried
        if top is None:
            continue
        name, unit = split_name_unit(top)
        columns[c] = _Column(name, unit, _squash(sub) or None)
    return columns


def _read_sheet(
    file: LandingFile,
    sheet: str,
    grid: list[list[object]],
    texts: list[list[str | None]],
    values: list[dict],
    quarantine: list[dict],
) -> tuple[int, list[str]]:
    """Append the sheet's rows; return (number of blocks read, problems found)."""
    provenance = {"source_file": file.relpath, "source_sha256": file.sha256, "sheet": sheet}

    def reject(row: int | None, col: int | None, text: str, reason: str) -> None:
        quarantine.append({
            **provenance, "source_row": row, "source_col": col,
            "target_table": TARGET_TABLE, "value_text": text, "reason": reason,
        })

    headers = _header_rows(texts)
    if not headers:
        reason = (
            "no header block found (a row starting with 城市/地区 followed by a row "
            "holding 全市/市辖区)"
        )
        reject(None, None, _excerpt(texts), reason)
        return 0, [reason]

    file_year = _FILE_YEAR.search(file.path.stem)
    blocks, problems = 0, []
    for i, (h, region_col) in enumerate(headers):
        end = headers[i + 1][0] if i + 1 < len(headers) else len(texts)
        title_from = headers[i - 1][0] + 2 if i else 0
        year = _title_year(texts, title_from, h)
        if year is None and file_year:
            year = int(file_year.group(1))
        if year is None:
            reason = (
                f"no data year: no '（YYYY年）' title above row {h + 1} "
                "and no year in the file name"
            )
            reject(h + 1, None, _excerpt(texts[title_from:h + 2]), reason)
            problems.append(reason)
            continue
        blocks += 1
        columns = _header_columns(texts, h, region_col)
        region_letter = get_column_letter(region_col + 1)
        for r in range(h + 2, end):
            cells = [(c, t) for c, t in enumerate(texts[r]) if c > region_col and t is not None]
            # Blank rows, province headings (河北省 with no values), titles and footnote
            # lines have no value cells, so they yield nothing.
            if not cells:
                continue
            region = texts[r][region_col]
            for c, text in cells:
                row_no, col_no = r + 1, c + 1
                if region is None:
                    reject(row_no, col_no, text, f"no region name in column {region_letter}")
                    continue
                if region.startswith(FOOTNOTE_PREFIXES):
                    reject(row_no, col_no, text, "value in a footnote row")
                    continue
                column = columns.get(c)
                if column is None:
                    reject(row_no, col_no, text,
                           f"no indicator header above column {get_column_letter(col_no)}")
                    continue
                number, reason = _parse_value(grid[r][c], text)
                if reason:
                    reject(row_no, col_no, text, reason)
                    continue
                values.append({
                    **provenance, "source_row": row_no, "source_col": col_no, "year": year,
                    "region_name": region, "indicator_name": column.indicator_name,
                    "unit": column.unit, "scope": column.scope, "value_text": text,
                    "value": number,
                })
    return blocks, problems


def _excerpt(texts: list[list[str | None]]) -> str:
    return " | ".join(t for row in texts for t in row if t is not None)[:_EXCERPT]


def _values_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=schema.CITY_YEARBOOK_VALUES)
    return frame.astype({
        "source_row": "int64", "source_col": "int64", "year": "int64", "value": "float64",
    })


def _quarantine_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=schema.QUARANTINE)
    return frame.astype({"source_row": "Int64", "source_col": "Int64"})
