"""Dagster's run history (DAGSTER_HOME): where it lives, and how it is written.

Dagster's SQLite storage opens a connection per event and commits each one with an fsync;
closing that connection (the last one on the file) checkpoints the WAL with another fsync.
A build stores some 2,400 events (a planned and an evaluated event per dbt test, the
materializations, the logs), so on a disk where an fsync costs 15 ms (measured on the 2-core
machines this runs on) the history alone took about a minute of every build.

The history is written with `PRAGMA synchronous=OFF` instead: SQLite hands the pages to the
operating system and goes on. A crash of the build process loses nothing; only an operating
system crash or a power cut in the second after a write can damage the history file, and the
history is a log of runs, not data: the warehouse itself is DuckDB, written elsewhere and
published by an atomic rename.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from orchestration import paths

_registered = False


def use_dagster_home() -> Path:
    """Point Dagster at the project's history folder (created with telemetry off: the machines
    this runs on reach no network but package registries), writing it as described above."""
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    write_history_without_fsync()
    return home


def write_history_without_fsync() -> None:
    """Register, once per process, the SQLAlchemy hook that sets `synchronous=OFF` on every
    SQLite connection to a file under DAGSTER_HOME (and on no other database)."""
    global _registered
    if not _registered:
        event.listen(Engine, "connect", _no_fsync_for_history)
        _registered = True


def _no_fsync_for_history(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    home = os.environ.get("DAGSTER_HOME")
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    if home and row and row[2] and Path(row[2]).resolve().is_relative_to(Path(home).resolve()):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
