"""One Excel workbook per study: a sheet per table, titled, with its notes (openpyxl)."""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models_py.output.table_cells import has_row_labels

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class SheetTable:
    """A table to put on its own sheet."""

    name: str  # sheet name (made Excel-safe: 31 characters, no []:*?/\)
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "table"
    candidate, n = base[:31], 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"_{n}"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _value(value: object) -> object:
    """Numbers stay numbers (Excel can compute with them); missing becomes an empty cell."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    return str(value)


def write_workbook(tables: list[SheetTable], path: Path, banner: str = "") -> Path:
    """Write `tables` to one .xlsx: per sheet a bold title row, the `banner` (e.g. the
    SYNTHETIC DATA warning) in red under it, the table with its header row, then the notes.
    Returns `path`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    if not tables:
        raise ValueError("no tables to write")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    rule = Side(style="thin")
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.name, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        if banner:
            sheet.append([banner])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="C00000")
        sheet.append([])
        labels = has_row_labels(table.frame)
        header = ([str(table.frame.index.name or "")] if labels else []) + [
            str(c) for c in table.frame.columns]
        sheet.append(header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.border = Border(top=rule, bottom=rule)
            cell.alignment = Alignment(horizontal="center")
        for label, row in zip(table.frame.index, table.frame.itertuples(index=False),
                              strict=True):
            sheet.append(([_value(label)] if labels else []) + [_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            cell.border = Border(bottom=rule)
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([note])
                sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True, size=9)
        for i, column in enumerate(header, start=1):
            body = [sheet.cell(row=r, column=i).value for r in range(header_row, sheet.max_row)]
            width = max([len(str(column))] + [len(str(v)) for v in body if v is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 40)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2 if labels else 1)
    book.save(path)
    return path
