"""Shared fixtures: a whole warehouse built once per session in a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Warehouse:
    root: Path
    env: dict[str, str]
    build_output: str
    build_stderr: str = ""

    @property
    def published(self) -> Path:
        return self.root / "warehouse" / "dri.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def truth(self) -> Path:
        return self.root / "warehouse" / "demo_truth.csv"


def warehouse_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DRI_WAREHOUSE_DIR": str(root / "warehouse"),
        "DRI_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
    })
    # What importing orchestration.definitions in this process set: a user's `dri` does not
    # inherit it (the parse and the runs must agree on it by themselves).
    for name in ("DRI_DUCKDB_PATH", "DRI_DUCKDB_MEMORY_LIMIT"):
        env.pop(name, None)
    return env


def run_dbt(tmp: Path, db: Path, *args: str, timeout: float = 600) -> None:
    """Run dbt on the project against the DuckDB file `db`, with target and logs under `tmp`
    (never the project's own target/); fail with the end of dbt's output."""
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args,
         "--project-dir", str(ROOT / "dbt_project"), "--profiles-dir", str(ROOT / "dbt_project"),
         "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        env={**os.environ, "DRI_DUCKDB_PATH": str(db)},
        capture_output=True, text=True, timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def run_dri(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Warehouse:
    """`dri build` on the default demo data (198 cities x 15 years), from an empty landing."""
    root = tmp_path_factory.mktemp("dri")
    env = warehouse_env(root)
    proc = run_dri(env, "build")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return Warehouse(root=root, env=env, build_output=proc.stdout, build_stderr=proc.stderr)
