"""DuckDB's memory limit: one figure, sized from the machine unless configured, given to the
build's own connections and to dbt (profiles.yml reads the variable the build sets)."""

from __future__ import annotations

import os

import yaml

from orchestration import paths


def test_half_the_machine_unless_configured(monkeypatch):
    monkeypatch.delenv(paths.MEMORY_LIMIT_ENV, raising=False)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert paths.duckdb_memory_limit() == f"{max(1, total // 2 // 10**9)}GB"
    monkeypatch.setenv(paths.MEMORY_LIMIT_ENV, "3GB")
    assert paths.duckdb_memory_limit() == "3GB"


def test_build_connections_and_dbt_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.delenv("DRI_DUCKDB_PATH", raising=False)
    monkeypatch.setenv(paths.MEMORY_LIMIT_ENV, "3GB")
    from orchestration.definitions import build_definitions

    resource = build_definitions().resources["duckdb"]
    assert resource.connection_config["memory_limit"] == "3GB"
    assert os.environ[paths.MEMORY_LIMIT_ENV] == "3GB"
    profile = yaml.safe_load((paths.DBT_PROJECT_DIR / "profiles.yml").read_text())
    settings = profile["dri"]["outputs"]["dev"]["settings"]
    assert paths.MEMORY_LIMIT_ENV in settings["memory_limit"]
