"""`dri ingest` and `dri inspect` on real-shaped files, without a build (--no-refresh): the
account printed per file, the copy into the landing zone with the sidecar, the refusals."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.conftest import ROOT, run_dri, warehouse_env

NBS_ORIGINAL = (ROOT / "warehouse" / "bundled" / "province_st_yearbook" / "originals"
                / "population_yearend_10k_2000_2017.csv")


def test_shipped_nbs_table_is_ingested_like_any_file(tmp_path):
    env = warehouse_env(tmp_path)
    original = tmp_path / NBS_ORIGINAL.name
    for source in (NBS_ORIGINAL, NBS_ORIGINAL.with_name(NBS_ORIGINAL.name + ".meta.yml")):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    os.utime(original, (1e9, 1e9))  # saved in 2001
    proc = run_dri(env, "ingest", "--no-refresh", str(original))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "regions x years (NBS data-portal layout)" in proc.stdout
    assert "landed             558 values" in proc.stdout
    landed = tmp_path / "warehouse" / "landing" / "city_yearbook" / NBS_ORIGINAL.name
    assert landed.read_bytes() == NBS_ORIGINAL.read_bytes()
    # dated when it landed, not when it was saved: the newest landing file takes precedence
    assert landed.stat().st_mtime > time.time() - 600 > original.stat().st_mtime
    assert "indicator: Population at Year-end" in landed.with_name(
        landed.name + ".meta.yml").read_text(encoding="utf-8")


def test_file_landing_nothing_is_refused_and_inspect_says_why(tmp_path):
    env = warehouse_env(tmp_path)
    export = tmp_path / "mars.csv"
    export.write_text("地区,年份,指标,数值,单位\n火星市,2021,地区生产总值,1,亿元\n",
                      encoding="utf-8")
    proc = run_dri(env, "ingest", "--no-refresh", str(export))
    assert proc.returncode == 2
    assert f"rejected {export}: no value would land" in proc.stderr
    assert not (tmp_path / "warehouse" / "landing").exists()

    shown = run_dri(env, "inspect", str(export))
    assert shown.returncode == 2
    assert "long export" in shown.stdout and "unmatched region name (1)" in shown.stdout
    assert "火星市" in shown.stdout


def test_unreadable_file_names_the_path_typed(tmp_path):
    env = warehouse_env(tmp_path)
    broken = Path(tmp_path / "ccsy_2016.xlsx")
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    proc = run_dri(env, "inspect", str(broken))
    assert proc.returncode == 2 and str(broken) in proc.stdout
    assert "cannot be read" in proc.stdout
