"""Atomic publication of the working DuckDB file, compacted.

Analysts open `warehouse/dri.duckdb`; a build never writes it in place. The working file is
checkpointed and copied, compacted, into a fresh file next to the target (`ATTACH` the fresh
file and `COPY FROM DATABASE`: only live data is written, none of the blocks that replaced
tables left free). The fresh file is synced, opened once read-only, and swapped in with
`os.replace`, which is atomic on POSIX: a reader sees the old file or the new one, never a
mix, and readers that already have the old file open keep reading it.

A byte copy would carry the working file's free blocks along: every rebuild replaces every
table, DuckDB writes the new tables before it frees the old ones, so a byte copy of an
identical rebuild was 191 MB instead of 108 MB. The compacted copy is the size of the data.
After publishing, the working file itself is replaced by a copy of the compacted file (same
contents, the next build starts from a compact file), unless a process still holds it.

`publish(..., annotate=...)` runs a function on the compacted copy before the swap; the
publish asset writes the table and column descriptions there as comments
(`orchestration.comments.apply_comments`), since dbt drops them whenever it replaces a table.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def compact_copy(source: Path, target: Path) -> None:
    """Write everything in `source` (schemas, tables, views, macros, types, sequences,
    comments) into the new DuckDB file `target`, with no free blocks; `target` has no WAL
    afterwards. `source` is read only."""
    if target.exists() or _wal(target).exists():
        raise FileExistsError(f"{target} exists; compact_copy writes a new file")
    with duckdb.connect(":memory:") as con:
        # Spill beside the target, not into the current directory, if memory runs short.
        con.execute(f"SET temp_directory = {_literal(target.with_name(target.name + '.spill'))}")
        con.execute(f"ATTACH {_literal(source)} AS work (READ_ONLY)")
        con.execute(f"ATTACH {_literal(target)} AS fresh")
        con.execute("COPY FROM DATABASE work TO fresh")
        con.execute("CHECKPOINT fresh")
        con.execute("DETACH fresh")
        con.execute("DETACH work")
    if _wal(target).exists():  # everything must be in the main file before it is moved
        raise RuntimeError(f"{_wal(target)} left after the copy; not publishing it")


def publish(work_db: Path, published_db: Path, refresh_work: bool = True,
            annotate: Callable[[duckdb.DuckDBPyConnection], object] | None = None) -> Path:
    """Copy `work_db`, compacted, over `published_db` atomically and return the published
    path. With `refresh_work`, `work_db` is then replaced by a copy of the compacted file.
    `annotate` runs on the compacted copy before the swap (e.g. `comments.apply_comments`:
    dbt replaces its tables on every run, and their comments with them)."""
    if not work_db.exists():
        raise FileNotFoundError(f"working database {work_db} does not exist; nothing to publish")
    # Fold the WAL into the main file (and fail here on a file that is not a database).
    with duckdb.connect(str(work_db)) as con:
        con.execute("CHECKPOINT")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a publish that was killed mid-copy; never the published file itself.
    for stale in published_db.parent.glob(f".{published_db.name}.*.tmp*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    tmp = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    try:
        compact_copy(work_db, tmp)
        if annotate is not None:
            with duckdb.connect(str(tmp)) as con:
                annotate(con)
                con.execute("CHECKPOINT")
            if _wal(tmp).exists():
                raise RuntimeError(f"{_wal(tmp)} left after annotating; not publishing it")
        _fsync(tmp)
        # Readers must never find a half-written database: open it before the swap.
        with duckdb.connect(str(tmp), read_only=True) as con:
            con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        os.replace(tmp, published_db)
    finally:
        tmp.unlink(missing_ok=True)
        _wal(tmp).unlink(missing_ok=True)
        shutil.rmtree(tmp.with_name(tmp.name + ".spill"), ignore_errors=True)
    _fsync_dir(published_db.parent)
    if refresh_work:
        refresh_working_file(work_db, published_db)
    return published_db


def refresh_working_file(work_db: Path, compacted: Path) -> bool:
    """Replace `work_db` by a copy of `compacted` (the file just published from it), so the
    working file does not keep the free blocks of every rebuild. Skipped (False) when a WAL
    sits beside `work_db` (someone wrote after the checkpoint) or another process holds it."""
    if _wal(work_db).exists():
        return False
    try:  # DuckDB's lock: fails while another process has the working file open
        duckdb.connect(str(work_db)).close()
    except duckdb.Error:
        return False
    for stale in work_db.parent.glob(f".{work_db.name}.*.tmp"):  # a killed refresh's copy
        stale.unlink(missing_ok=True)
    tmp = work_db.with_name(f".{work_db.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(compacted, tmp)
        _fsync(tmp)
        os.replace(tmp, work_db)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(work_db.parent)
    return True
