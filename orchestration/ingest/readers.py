"""Which reader understands which kind of landing file, and how to tell the kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from orchestration.ingest import long_export, patents, yearbook
from orchestration.ingest.landing import KINDS, IngestError, LandingFile, sha256_of

Reader = Callable[[LandingFile], tuple[pd.DataFrame, pd.DataFrame]]

READERS: dict[str, Reader] = {
    "city_yearbook": yearbook.read_city_yearbook,
    "patents": patents.read_patents,
    "yearbook_long": long_export.read_long_export,
}


def guess_kind(path: Path) -> str:
    """Spreadsheets are yearbook tables, Parquet is a patent extract; a CSV is a patent
    extract when it has an application-number column, a long export when its header maps
    the long-export columns, and a printed yearbook table otherwise."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xls"}:
        return "city_yearbook"
    if suffix == ".parquet":
        return "patents"
    if suffix == ".csv":
        head = _first_line(path).split(",")
        # An application-number column marks a patent extract, even one lacking a required
        # column: the patent reader then says which column is missing.
        if "application_number" in patents.map_columns(head):
            return "patents"
        if long_export.is_long_export_header(head):
            return "yearbook_long"
        return "city_yearbook"
    raise IngestError(f"{path.name}: unknown file type '{suffix}' (expected one of "
                      f"{sorted(set().union(*KINDS.values()))})")


def _first_line(path: Path) -> str:
    raw = path.read_bytes()[:65536]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()[0] if raw.strip() else ""
        except UnicodeDecodeError:
            continue
    return ""


def validate(path: Path, kind: str) -> tuple[int, int]:
    """Read a file the way the pipeline will; raise IngestError (one line naming the file)
    if it cannot be read. Returns (rows read, rows quarantined)."""
    if kind not in READERS:
        raise IngestError(f"{path.name}: unknown kind '{kind}' (one of {sorted(READERS)})")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    file = LandingFile(path=path.resolve(), relpath=f"{kind}/{path.name}", kind=kind,
                       sha256=sha256_of(path), size=path.stat().st_size)
    if kind == "patents":
        # A national extract is read and counted inside DuckDB, never fetched into pandas.
        return patents.count_patents(file)
    values, quarantine = READERS[kind](file)
    return len(values), len(quarantine)
