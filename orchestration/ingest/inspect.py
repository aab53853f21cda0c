"""How a file would be read, without changing anything: for `dri inspect` and the checks of
`dri ingest`. Messages name the path the user typed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from orchestration.ingest import intake, patents
from orchestration.ingest.landing import IngestError
from orchestration.ingest.readers import guess_kind, landing_file_for, read_tables

MAX_EXAMPLES = 8


@dataclass
class Checked:
    path: Path
    kind: str
    report: intake.FileReport
    taken: intake.Intake | None  # None for patent extracts (counted inside DuckDB)

    @property
    def lands_nothing(self) -> bool:
        return self.report.error is None and self.report.landed == 0


def check(path: Path, kind: str | None = None, read: Callable | None = None) -> Checked:
    """Read `path` the way the pipeline will, regions and indicators matched; never raises for
    a file that cannot be read (the report carries the error). `read` replaces
    readers.read_tables (`dri ingest` passes the warehouse's ReadingCache.read, so the
    refresh that follows does not read the file again)."""
    name = str(path)
    try:
        kind = kind or guess_kind(path)
        file = landing_file_for(path, kind)
    except (IngestError, OSError) as exc:
        return Checked(path, kind or "?", intake.FileReport(name, [], 0, "cells", error=str(exc)),
                       None)
    if kind == "patents":
        try:
            ok, bad = patents.count_patents(file)
        except IngestError as exc:
            return Checked(path, kind, intake.FileReport(
                name, [], 0, "rows", error=str(exc).replace(file.relpath, name, 1)), None)
        report = intake.FileReport(name, ["patent extract"], ok + bad, "rows", landed=ok,
                                   quarantined=Counter({"patent row not readable": bad}) if bad
                                   else Counter())
        return Checked(path, kind, report, None)
    taken = intake.take_in([file], kind, names={file.relpath: name}, read=read or read_tables)
    report = taken.reports[file.relpath]
    if report.error:
        report.error = report.error.replace(file.relpath, name, 1)
    return Checked(path, kind, report, taken)


def describe(checked: Checked) -> list[str]:
    """The layout detected per sheet, the meaning of every column, the region matches and
    what would be quarantined, as lines of text."""
    lines = [f"[bold]{checked.path}[/]  ({checked.kind})"]
    if checked.report.error:
        return [*lines, f"  [red]cannot be read[/]: {checked.report.error}"]
    taken = checked.taken
    if taken is None:
        return [*lines, *checked.report.lines()[1:]]
    reading = next(iter(taken.readings.values()))
    for sheet in reading.sheets:
        label = f"sheet {sheet.name!r}" if sheet.name else "table"
        lines.append(f"  {label}: {sheet.shape}, {sheet.items:,} {sheet.unit}")
        lines += [f"    [yellow]problem[/]: {p}" for p in sheet.problems]
        for block in sheet.blocks:
            rows = ", ".join(str(r + 1) for r in block.header_rows) or "none"
            lines.append(f"    header rows {rows}; data from row {block.first_data_row + 1} to "
                         f"{block.end_row}; regions in column "
                         f"{get_column_letter(block.region_col + 1)}"
                         + (f", years in column {get_column_letter(block.year_col + 1)}"
                            if block.year_col is not None else ""))
            if block.table_year:
                lines.append(f"    year {block.table_year} (from the {block.year_source})")
            if block.indicator or block.unit or block.scope:
                lines.append(f"    table-wide: indicator {block.indicator or '-'}, unit "
                             f"{block.unit or '-'}, scope {block.scope or '-'}")
            for c, column in block.columns.items():
                english = f"  [dim]{column.english}[/]" if column.english else ""
                lines.append(f"      {get_column_letter(c + 1):>3}: {column.describe()}{english}")
    values = taken.values
    if len(values):
        matched = (values.groupby(["region_name", "region_code", "region_level", "region_match"])
                   .size().reset_index(name="n"))
        levels = matched["region_level"].value_counts()
        lines.append(f"  regions matched: {len(matched):,} distinct names ("
                     + ", ".join(f"{n} {level}" for level, n in levels.items()) + ")")
        for row in matched.head(MAX_EXAMPLES).itertuples(index=False):
            lines.append(f"      {row.region_name} -> {row.region_code} ({row.region_level}, "
                         f"{row.region_match})")
        indicators = (values.groupby(["indicator_name", "unit", "indicator_code",
                                      "canonical_unit"], dropna=False).size()
                      .reset_index(name="n"))
        lines.append(f"  indicators: {len(indicators):,}")
        for row in indicators.itertuples(index=False):
            lines.append(f"      {row.indicator_name} [{row.unit}] -> {row.indicator_code} "
                         f"[{row.canonical_unit}] ({row.n:,} values)")
    lines += checked.report.lines()[1:]
    quarantine = taken.quarantine
    if len(quarantine):
        lines.append("  would be quarantined (examples):")
        for row in quarantine.head(MAX_EXAMPLES).itertuples(index=False):
            where = f"row {row.source_row}" if pd.notna(row.source_row) else ""
            if pd.notna(row.source_col):
                where += f" col {get_column_letter(int(row.source_col))}"
            sheet = f"{row.sheet}!" if row.sheet else ""
            lines.append(f"      {sheet}{where.strip()}: {str(row.value_text)[:40]!r}: "
                         f"{row.reason}")
    return lines
