"""One entry point for the yearbook files of every shape, and how to tell a file's kind.

`read_tables(file, kind)` reads a yearbook file of any of the shapes the real sources come in
— printed yearbook pages, NBS data-portal tables, wide region-year panels (all read by
`layout`), and long exports (`long_export`) — deciding per sheet by content, and returns a
`Reading`: the values, the quarantined cells with their reasons, and the count of every other
non-blank cell by why it was skipped, so the counts add up to what was read. The landing
folder (`kind`) only decides the raw table the values go to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orchestration.ingest import layout, long_export, patents, schema
from orchestration.ingest.grid import Sheet, cell_text, load_sheets
from orchestration.ingest.landing import KINDS, IngestError, LandingFile, sha256_of, sidecar

TARGETS = {"city_yearbook": "raw.city_yearbook_values", "yearbook_long": "raw.yearbook_long_values"}
COLUMNS = {"city_yearbook": schema.CITY_YEARBOOK_VALUES,
           "yearbook_long": schema.YEARBOOK_LONG_VALUES}
LONG_SHAPE = "long export (one row per region x year x indicator)"


@dataclass
class SheetSummary:
    """How one sheet was read, for `dri inspect` and the ingest report."""

    name: str
    shape: str
    unit: str  # "cells" or "rows": what `items` counts
    items: int
    blocks: list[layout.Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Reading:
    """What a reader made of one file. Every non-blank cell (row, in a long export) read is
    counted once: len(values) + len(quarantine) + sum(skipped) == items."""

    file: LandingFile
    kind: str
    values: pd.DataFrame
    quarantine: pd.DataFrame
    items: int
    skipped: Counter
    sheets: list[SheetSummary]

    def balanced(self) -> bool:
        return len(self.values) + len(self.quarantine) + sum(self.skipped.values()) == self.items


def _context(file: LandingFile, sheets: list[Sheet]) -> layout.Context:
    """Years printed in titles anywhere in the workbook (for 续表 sheets without a title),
    the year in the file name, and what the sidecar says the table is."""
    meta = sidecar(file)
    years = set()
    for sheet in sheets:
        for row in sheet.values[:8]:
            for value in row:
                year = layout.title_year(value) if isinstance(value, str) else None
                if year:
                    years.add(year)
    year = meta.get("year")
    return layout.Context(
        file_year=layout.file_year(file.path.stem),
        workbook_year=years.pop() if len(years) == 1 else None,
        indicator=meta.get("indicator"), unit=meta.get("unit"),
        year=int(year) if year is not None else None, scope=meta.get("scope"),
    )


def read_tables(file: LandingFile, kind: str) -> Reading:
    """Read a yearbook file (.csv, .xlsx, .xls; .parquet for long exports) of any shape.

    Raises IngestError naming the file when it is empty, damaged or has no sheet with
    anything in it; a sheet that is not understood has every cell quarantined with the
    reason, so nothing is lost and `dri inspect` shows why."""
    if kind not in TARGETS:
        raise IngestError(f"{file.relpath}: no table reader for kind {kind!r}")
    target, columns = TARGETS[kind], COLUMNS[kind]
    if file.path.suffix.lower() == ".parquet":
        values, quarantine = long_export.read_long_export(file)
        summary = SheetSummary("", LONG_SHAPE, "rows", len(values) + len(quarantine) + 1)
        return Reading(file, kind, conform(values, columns), quarantine, summary.items,
                       Counter({"header": 1}), [summary])
    sheets = load_sheets(file)
    context = _context(file, sheets)
    frames, bad, summaries = [], [], []
    skipped: Counter = Counter()
    items = 0
    for sheet in sheets:
        grid = pd.DataFrame(sheet.values, dtype=object) if sheet.values else pd.DataFrame()
        long = long_export.read_long_sheet(file, sheet.name, grid) if len(grid) else None
        if long is not None:
            values, quarantine, n, skip = long
            frames.append(values)
            bad.append(quarantine.assign(target_table=target))
            skipped.update(skip)
            items += n
            summaries.append(SheetSummary(sheet.name, LONG_SHAPE, "rows", n))
            continue
        provenance = {"source_file": file.relpath, "source_sha256": file.sha256,
                      "sheet": sheet.name}
        read = layout.read_sheet(sheet, provenance, target, context)
        if not read.cells:
            continue
        frames.append(pd.DataFrame(read.values, columns=schema.CITY_YEARBOOK_VALUES))
        bad.append(pd.DataFrame(read.quarantine, columns=schema.QUARANTINE))
        skipped.update(read.skipped)
        items += read.cells
        shape = read.blocks[0].shape if read.blocks else "not understood"
        summaries.append(SheetSummary(sheet.name, shape, "cells", read.cells, read.blocks,
                                      problems=read.problems))
    if not items:
        raise IngestError(f"{file.relpath}: no data (every sheet is empty)")
    if all(s.shape == "not understood" for s in summaries):
        detail = "; ".join(f"sheet {s.name!r}: {p}" if s.name else p
                           for s in summaries for p in s.problems)
        raise IngestError(f"{file.relpath}: no readable sheet ({detail})")
    values = conform(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
                      columns)
    quarantine = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame()
    quarantine = quarantine.reindex(columns=schema.QUARANTINE).astype(
        {"source_row": "Int64", "source_col": "Int64"})
    return Reading(file, kind, values, quarantine, items, skipped, summaries)


def conform(values: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The raw table's columns, in order, with the reader's dtypes."""
    values = values.reindex(columns=columns)
    return values.astype({"source_row": "int64", "year": "int64", "value": "float64"})


def guess_kind(path: Path) -> str:
    """A CSV or Parquet file with an application-number column is a patent extract; a file
    whose header maps the long-export columns is a long export; any other table is a
    yearbook table (printed page, portal table or wide panel: the reader tells which)."""
    suffix = path.suffix.lower()
    if suffix not in set().union(*KINDS.values()):
        raise IngestError(f"{path}: unknown file type '{suffix}' (expected one of "
                          f"{sorted(set().union(*KINDS.values()))})")
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise IngestError(f"{path}: cannot read Parquet file ({exc})") from exc
        return "patents" if "application_number" in patents.map_columns(names) else \
            "yearbook_long"
    if suffix == ".csv":
        head = _first_line(path).split(",")
        # An application-number column marks a patent extract, even one lacking a required
        # column: the patent reader then says which column is missing.
        if "application_number" in patents.map_columns(head):
            return "patents"
    file = landing_file_for(path, "city_yearbook")
    for sheet in load_sheets(file):
        grid = pd.DataFrame(sheet.values[:long_export.HEADER_SEARCH_ROWS], dtype=object)
        texts = grid.map(cell_text) if len(grid) else grid
        if len(texts) and long_export._find_header(texts) is not None:
            return "yearbook_long"
    return "city_yearbook"


def _first_line(path: Path) -> str:
    raw = path.read_bytes()[:65536]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()[0] if raw.strip() else ""
        except UnicodeDecodeError:
            continue
    return ""


def landing_file_for(path: Path, kind: str) -> LandingFile:
    """A file outside the landing zone, fingerprinted as if it were landed under `kind`."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    return LandingFile(path=path.resolve(), relpath=f"{kind}/{path.name}", kind=kind,
                       sha256=sha256_of(path), size=path.stat().st_size)


def read_path(path: Path, kind: str) -> Reading | tuple[int, int]:
    """Read a file outside the landing zone the way the pipeline will (messages name the
    path as given). Patent extracts are counted inside DuckDB: (rows read, quarantined)."""
    if kind not in KINDS:
        raise IngestError(f"{path}: unknown kind '{kind}' (one of {sorted(KINDS)})")
    file = landing_file_for(path, kind)
    try:
        if kind == "patents":
            # A national extract is read and counted inside DuckDB, never fetched into pandas.
            return patents.count_patents(file)
        return read_tables(file, kind)
    except IngestError as exc:
        # The reader names the landing-relative path; the user typed `path`.
        raise IngestError(str(exc).replace(file.relpath, str(path), 1)) from exc


def validate(path: Path, kind: str) -> tuple[int, int]:
    """Read a file the way the pipeline will; raise IngestError (one line naming the file)
    if it cannot be read. Returns (values read, values quarantined)."""
    read = read_path(path, kind)
    if isinstance(read, tuple):
        return read
    return len(read.values), len(read.quarantine)
