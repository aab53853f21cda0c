"""A killed refresh leaves the published warehouse exactly as it was, and the next build
recovers."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import ROOT, Warehouse, run_dri, warehouse_env

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def warehouse_copy(built_warehouse: Warehouse, tmp_path_factory) -> Warehouse:
    root = tmp_path_factory.mktemp("dri_kill")
    for name in ("warehouse", "reports", "dagster_home"):
        if (built_warehouse.root / name).exists():
            shutil.copytree(built_warehouse.root / name, root / name)
    return Warehouse(root=root, env=warehouse_env(root), build_output="")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _panel_rows(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM marts.city_panel").fetchone()[0]


@pytest.mark.parametrize("after_seconds", [3, 12, 25])
def test_kill_9_during_a_build_leaves_the_published_file_alone(
    warehouse_copy: Warehouse, after_seconds: float
) -> None:
    published = warehouse_copy.published
    sha, rows = _sha(published), _panel_rows(published)
    build = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "build"], env=warehouse_copy.env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    time.sleep(after_seconds)
    if build.poll() is None:
        os.killpg(build.pid, signal.SIGKILL)  # the CLI and its dbt subprocess alike
    build.wait()
    assert _sha(published) == sha
    assert _panel_rows(published) == rows


def test_build_after_kills_succeeds(warehouse_copy: Warehouse) -> None:
    proc = run_dri(warehouse_copy.env, "build")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert _panel_rows(warehouse_copy.published) == 198 * 15
