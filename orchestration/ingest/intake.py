"""Yearbook files of one kind -> the rows of their raw table, the quarantine, and an honest
account per file: values landed, superseded by newer files, quarantined by reason, cells
skipped as titles, headers, labels or notes — adding up to the cells (rows) it read.

Pure pandas (no Dagster, no DuckDB): the raw assets, `dri ingest` and `dri inspect` all go
through `take_in`, so what the CLI promises is what the build does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from orchestration.ingest import schema, versions
from orchestration.ingest.landing import IngestError, LandingFile
from orchestration.ingest.normalize import normalize_yearbook_values
from orchestration.ingest.readers import COLUMNS, TARGETS, Reading, conform, read_tables

# A long value is identified within its indicator code of the export too: two tables of one
# export may print the same total under different variable codes (techme's RDActivity and
# RDSource); int_province_indicators then picks one by the catalogue's preference.
VALUE_KEYS = {"city_yearbook": versions.VALUE_KEY,
              "yearbook_long": [*versions.VALUE_KEY, "indicator_key"]}


@dataclass
class FileReport:
    """What became of one file's cells (rows, for long exports)."""

    name: str  # as the user knows it: the landing-relative path or the path typed
    shapes: list[str]
    items: int
    unit: str
    landed: int = 0
    superseded: int = 0
    quarantined: Counter = field(default_factory=Counter)  # reason category -> count
    skipped: Counter = field(default_factory=Counter)
    error: str | None = None  # the file could not be read at all

    def balanced(self) -> bool:
        total = self.landed + self.superseded + sum(self.quarantined.values())
        return total + sum(self.skipped.values()) == self.items

    def lines(self) -> list[str]:
        if self.error:
            return [f"{self.name}: NOT READ: {self.error}"]
        out = [f"{self.name}: {'; '.join(dict.fromkeys(self.shapes))} — {self.items:,} "
               f"{self.unit} read"]
        out.append(f"  landed       {self.landed:>9,} values")
        if self.superseded:
            out.append(f"  superseded   {self.superseded:>9,} (a newer file prints them)")
        quarantined = sum(self.quarantined.values())
        detail = ", ".join(f"{k} ({v:,})" for k, v in self.quarantined.most_common())
        out.append(f"  quarantined  {quarantined:>9,}" + (f": {detail}" if detail else ""))
        detail = ", ".join(f"{k} ({v:,})" for k, v in self.skipped.most_common())
        out.append(f"  skipped      {sum(self.skipped.values()):>9,}"
                   + (f" as {detail}" if detail else ""))
        if not self.balanced():  # would be a bug of the readers: say it, never hide it
            out.append("  WARNING: these counts do not add up to the cells read")
        return out


@dataclass
class Intake:
    values: pd.DataFrame  # the raw table's rows (reader columns + schema.NORMALIZED)
    quarantine: pd.DataFrame  # schema.QUARANTINE
    reports: dict[str, FileReport]  # by relpath
    readings: dict[str, Reading]
    failed: dict[str, str]  # relpath -> why the file could not be read


def reason_category(reason: str) -> str:
    """'unmatched region name '杭州' in 2021; candidates: …' -> 'unmatched region name'."""
    head = re.split(r"[;:]", reason, maxsplit=1)[0]
    head = re.sub(r"\s*'[^']*'|\s*\"[^\"]*\"|\s+in (?:19|20)\d{2}\b", "", head)
    return re.sub(r"\s+[A-Z]{1,3}\d*$", "", head).strip() or reason[:40]


def take_in(files: list[LandingFile], kind: str, precedence: list[str] | None = None,
            names: dict[str, str] | None = None,
            read: Callable[[LandingFile, str], Reading] = read_tables) -> Intake:
    """Read every file of `kind`, match regions and indicators, keep the newest file's value
    per value key (`precedence`: relpaths, newest first; default the order given) and account
    for every cell. A file that cannot be read at all is reported in `failed`, not raised, so
    one bad file never stops the others. `read`: how a file is read (the build passes a
    reading_cache.ReadingCache's read)."""
    if kind not in TARGETS:
        raise IngestError(f"no yearbook reader for kind {kind!r}")
    names = names or {}
    readings: dict[str, Reading] = {}
    failed: dict[str, str] = {}
    for file in files:
        try:
            readings[file.relpath] = read(file, kind)
        except IngestError as exc:
            failed[file.relpath] = str(exc)
    frames = [r.values for r in readings.values()]
    values = pd.concat(frames, ignore_index=True) if frames else conform(
        pd.DataFrame(columns=COLUMNS[kind]), COLUMNS[kind])
    values, rejected = normalize_yearbook_values(values, TARGETS[kind])
    order = precedence or [f.relpath for f in files]
    values, superseded = versions.keep_latest(
        values, [p for p in order if p in readings], VALUE_KEYS[kind])
    quarantine = pd.concat([*(r.quarantine for r in readings.values()), rejected],
                           ignore_index=True)[schema.QUARANTINE]

    landed = values["source_file"].value_counts() if len(values) else pd.Series(dtype=int)
    reports: dict[str, FileReport] = {}
    for relpath, reading in readings.items():
        mine = quarantine[quarantine["source_file"] == relpath]["reason"]
        reports[relpath] = FileReport(
            name=names.get(relpath, relpath),
            shapes=[s.shape for s in reading.sheets],
            items=reading.items, unit=reading.sheets[0].unit if reading.sheets else "cells",
            landed=int(landed.get(relpath, 0)), superseded=int(superseded.get(relpath, 0)),
            quarantined=Counter(mine.map(reason_category)), skipped=+Counter(reading.skipped),
        )
    for relpath, error in failed.items():
        reports[relpath] = FileReport(names.get(relpath, relpath), [], 0, "cells", error=error)
    return Intake(values, quarantine, reports, readings, failed)
