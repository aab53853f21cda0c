"""Where things live on disk. Every path can be moved with an environment variable,
which is how tests build into a temporary warehouse without touching the real one."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def warehouse_dir() -> Path:
    return Path(os.environ.get("DRI_WAREHOUSE_DIR", PROJECT_ROOT / "warehouse"))


def landing_dir() -> Path:
    return warehouse_dir() / "landing"


def archive_dir() -> Path:
    return warehouse_dir() / "archive"


def work_db_path() -> Path:
    """The build's own DuckDB file; analysts never open it (DuckDB's file lock)."""
    return Path(os.environ.get("DRI_DUCKDB_PATH", warehouse_dir() / "work" / "dri_build.duckdb"))


MEMORY_LIMIT_ENV = "DRI_DUCKDB_MEMORY_LIMIT"


def duckdb_memory_limit() -> str:
    """DuckDB's memory_limit for the build's connections and dbt (DuckDB spills to disk
    beyond it): DRI_DUCKDB_MEMORY_LIMIT, else half the machine's memory, at least 1 GB.
    Half, not DuckDB's own 80 %, leaves room for the Dagster, dbt and Python processes of
    the build beside it; the national-scale patent chain (50M patents) completes within
    4 GB (benchmarks/README.md), so half of a laptop's memory is enough."""
    configured = os.environ.get(MEMORY_LIMIT_ENV)
    if configured:
        return configured
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, total // 2 // 10**9)}GB"


def dbt_profile_env() -> dict[str, str]:
    """The environment profiles.yml reads for the DuckDB target: the working file and the
    memory limit. The parse and the runs must see the same values: dbt reuses a parse
    (partial parsing) only when the profile is equal, else it parses all again every run."""
    return {"DRI_DUCKDB_PATH": str(work_db_path()), MEMORY_LIMIT_ENV: duckdb_memory_limit()}


def readings_dir() -> Path:
    """What the readers made of each landing file (orchestration/ingest/reading_cache.py)."""
    return work_db_path().parent / "readings"


def dbt_run_dir() -> Path:
    """dbt's target and log folder for the build's runs, beside the working file it belongs
    to: one fixed folder, emptied at the start of each dbt run, so only the last run's
    artifacts (dbt_output.log, compiled SQL, dbt.log) stay. dagster-dbt's default would
    leave a new `dbt_project/target/<step>-<run>-<uuid>/` of about 36 MB behind every run."""
    return work_db_path().parent / "dbt_run"


def dbt_output_log() -> Path:
    """The dbt lines of the last run (one per node: START, OK / PASS / WARN / ERROR, with
    timings), as dbt prints them; `dri build` shows them only with --verbose."""
    return dbt_run_dir() / "dbt_output.log"


# DRI_DBT_OUTPUT=file: dbt's lines go only to dbt_output_log() (what `dri build` sets unless
# --verbose); unset or anything else (runs launched from the Dagster UI): to stdout as well.
DBT_OUTPUT_ENV = "DRI_DBT_OUTPUT"


def published_db_path() -> Path:
    """The file analysts query; replaced atomically after a successful build."""
    return warehouse_dir() / "dri.duckdb"


def demo_truth_path() -> Path:
    """True values of the synthetic demo world, kept outside the landing zone."""
    return warehouse_dir() / "demo_truth.csv"


def demo_truth_province_path() -> Path:
    """True values of the synthetic provincial demo world (YAML), outside the landing zone."""
    return warehouse_dir() / "demo_truth_province.yml"


def reports_dir() -> Path:
    return Path(os.environ.get("DRI_REPORTS_DIR", PROJECT_ROOT / "reports"))


def patents_compress_text() -> bool:
    """DRI_PATENTS_COMPRESS_TEXT=1 stores raw.patents text compressed: about 5x less disk
    (about 3.5 instead of 17.5 GB for 50M patents), about 3x slower ingest and slower scans
    of the IPC field (benchmarks/README.md). Unset, empty or 0 / false / no: uncompressed."""
    value = os.environ.get("DRI_PATENTS_COMPRESS_TEXT", "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"DRI_PATENTS_COMPRESS_TEXT={value!r}: use 1 / true / yes or "
                     "0 / false / no")


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home"))
