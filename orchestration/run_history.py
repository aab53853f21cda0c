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

And it is written through one SQLAlchemy engine per database file, kept for the life of the
process (`PooledSqliteEventLogStorage`): Dagster's own SQLite event log creates an engine and
opens a new connection for every event it stores, two or three per event (the run's file,
then the cross-run index), 4.7 ms per event against 0.5 ms with the engines kept (measured
here); a build stores some 2,000 events. The files and their tables are Dagster's own, so
`dagster dev` and any Dagster process read them as usual.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

from orchestration import paths

_registered = False

_OLD_INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"
INSTANCE_CONFIG = _OLD_INSTANCE_CONFIG + """\
event_log_storage:
  module: orchestration.run_history
  class: PooledSqliteEventLogStorage
"""


def use_dagster_home() -> Path:
    """Point Dagster at the project's history folder (created with telemetry off: the machines
    this runs on reach no network but package registries), writing it as described above."""
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # A history written before the pooled event log was configured is upgraded in place (same
    # files); a dagster.yaml the user changed is left as it is.
    if not config.exists() or config.read_text(encoding="utf-8") == _OLD_INSTANCE_CONFIG:
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
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


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one file per run and a cross-run index, in
    `$DAGSTER_HOME/history/runs/` unless `base_dir` says otherwise) with one engine per file
    for the life of the process: its connections are pooled, not opened per event."""

    # A build writes two files (its run's and the index); `dagster dev` reads many runs, so
    # only the most recently used engines are kept, each with its pooled connections open.
    MAX_ENGINES = 8

    def __init__(self, base_dir: str | None = None, inst_data=None) -> None:
        # before the parent's __init__, which connects already
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir or default_event_log_dir(), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                # check_same_thread off: the pool hands a connection to one thread at a time,
                # not always the one that opened it (the build's progress thread reads too).
                engine = create_engine(self.conn_string_for_shard(shard), connect_args={
                    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
                while len(self._engines) > self.MAX_ENGINES:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def default_event_log_dir() -> str:
    """Where Dagster's default SQLite storage keeps the event logs of DAGSTER_HOME."""
    return str(Path(os.environ["DAGSTER_HOME"]) / "history" / "runs")
