"""A spreadsheet or CSV as cells: every sheet as a grid of values with its merged ranges.

This is the "cells as data" view of tidyxl: what a table means is decided afterwards
(`orchestration.ingest.layout`), from the cells' content and position, never from fixed cell
addresses. `.xlsx` is read with openpyxl, `.xls` (older yearbook editions) with xlrd, `.csv`
(UTF-8 or GBK) with the csv module; all keep merged ranges where the format has them.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import pandas as pd

from orchestration.ingest.landing import IngestError, LandingFile, read_csv_grid

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


@dataclass
class Sheet:
    name: str  # '' for a CSV
    values: list[list[object]]  # cell values as the format stores them (str, int, float, None)
    # merged ranges as (r0, c0, r1, c1), 0-based and inclusive
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.values), default=0)


def cell_text(value: object) -> str | None:
    """The cell as printed (integral floats without '.0'), or None when it is blank (a cell
    of spaces, full-width spaces included, is blank)."""
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


def load_sheets(file: LandingFile) -> list[Sheet]:
    """Every sheet of the file, in workbook order. Raises IngestError naming the file when it
    is empty, damaged or of a type no reader here understands."""
    if not file.path.exists() or file.path.stat().st_size == 0:
        raise IngestError(f"{file.relpath}: empty file")
    suffix = file.path.suffix.lower()
    if suffix == ".csv":
        grid = read_csv_grid(file)
        return [Sheet("", grid.to_numpy(dtype=object).tolist())]
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx(file)
    if suffix == ".xls":
        return _xls(file)
    raise IngestError(f"{file.relpath}: not a table file ({suffix}); expected .xlsx, .xls or .csv")


def _xlsx(file: LandingFile) -> list[Sheet]:
    import openpyxl

    try:
        # Not read-only: read-only worksheets do not expose their merged ranges.
        book = openpyxl.load_workbook(file.path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IngestError(
            f"{file.relpath}: cannot read workbook ({type(exc).__name__}: {exc})") from exc
    sheets = []
    for ws in book.worksheets:
        values = [list(row) for row in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in ws.merged_cells.ranges]
        sheets.append(Sheet(ws.title, values, merges))
    return sheets


def _xls(file: LandingFile) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(file.path), formatting_info=True)
    except Exception as exc:  # xlrd raises XLRDError, struct errors... for damaged files
        raise IngestError(
            f"{file.relpath}: cannot read .xls workbook ({type(exc).__name__}: {exc})") from exc
    sheets = []
    for ws in book.sheets():
        values = []
        for r in range(ws.nrows):
            row = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(f"#ERROR{cell.value}")
                else:
                    row.append(cell.value)
            values.append(row)
        # xlrd's ranges are half-open: (rlo, rhi, clo, chi)
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in ws.merged_cells]
        sheets.append(Sheet(ws.name, values, merges))
    return sheets
