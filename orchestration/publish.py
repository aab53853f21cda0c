"""Atomic publication of the working DuckDB file.

Analysts open `warehouse/dri.duckdb`; a build never writes it in place. The working
file is checkpointed, copied next to the target and swapped in with `os.replace`,
which is atomic on POSIX: a reader sees the old file or the new one, never a mix,
and readers that already have the old file open keep reading it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def publish(work_db: Path, published_db: Path) -> Path:
    """Copy `work_db` over `published_db` atomically and return the published path."""
    if not work_db.exists():
        raise FileNotFoundError(f"working database {work_db} does not exist; nothing to publish")
    # Fold the WAL into the main file so the copy is self-contained.
    with duckdb.connect(str(work_db)) as con:
        con.execute("CHECKPOINT")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a publish that was killed mid-copy; never the published file itself.
    for stale in published_db.parent.glob(f".{published_db.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(work_db, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        # Readers must never find a half-written database: open it before the swap.
        with duckdb.connect(str(tmp), read_only=True) as con:
            con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        os.replace(tmp, published_db)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(published_db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return published_db
