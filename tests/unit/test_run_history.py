"""Dagster's run history as the build writes it (orchestration/run_history.py): Dagster's own
SQLite files, written without fsync through engines kept for the process."""

from __future__ import annotations

import sqlite3

from dagster import AssetCheckResult, DagsterInstance, asset, asset_check, materialize
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration import run_history
from orchestration.run_history import INSTANCE_CONFIG, PooledSqliteEventLogStorage


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset_check(asset=numbers)
def numbers_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def test_history_is_dagsters_own_files_read_by_a_plain_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setattr(run_history.paths, "dagster_home", lambda: tmp_path / "home")
    home = run_history.use_dagster_home()
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == INSTANCE_CONFIG

    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        for _ in range(2):
            result = materialize([numbers, numbers_positive], instance=instance)
            assert result.success
        run_id = result.run_id
        # one engine per file for the process: the run's file and the cross-run index
        assert set(storage._engines) >= {run_id, "index"}
        engines = dict(storage._engines)
        materialize([numbers], instance=instance)
        assert all(storage._engines[shard] is engines[shard] for shard in engines)

    # Dagster's default SQLite storage reads what was written: the same files and tables.
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    events = plain.get_logs_for_run(run_id)
    assert any(e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
               for e in events)
    assert plain.get_latest_materialization_events([numbers.key])[numbers.key] is not None
    with sqlite3.connect(home / "history" / "runs" / "index.db") as con:
        checks = con.execute("SELECT count(*) FROM asset_check_executions").fetchone()[0]
    assert checks == 2


def test_an_old_default_config_is_upgraded_a_changed_one_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(run_history.paths, "dagster_home", lambda: tmp_path / "home")
    config = tmp_path / "home" / "dagster.yaml"
    config.parent.mkdir()
    config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    run_history.use_dagster_home()
    assert config.read_text(encoding="utf-8") == INSTANCE_CONFIG
    config.write_text("telemetry:\n  enabled: true\n", encoding="utf-8")
    run_history.use_dagster_home()
    assert config.read_text(encoding="utf-8") == "telemetry:\n  enabled: true\n"


def test_only_the_recently_used_engines_are_kept(tmp_path, monkeypatch):
    """`dagster dev` reads the files of many runs: engines (and their open connections) are
    kept for the few most recently used files only."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    shards = [f"run{i}" for i in range(storage.MAX_ENGINES + 3)]
    for shard in shards:
        with storage.run_connection(shard) as conn:
            conn.exec_driver_sql("SELECT 1")
    assert list(storage._engines) == shards[-storage.MAX_ENGINES:]
    with storage.run_connection(shards[-storage.MAX_ENGINES]) as conn:  # used again: kept
        conn.exec_driver_sql("SELECT 1")
    assert next(reversed(storage._engines)) == shards[-storage.MAX_ENGINES]
    storage.dispose()
    assert not storage._engines
