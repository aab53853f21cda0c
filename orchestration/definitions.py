"""The one Dagster code location of DRI Warehouse: assets, checks, resources, jobs."""

from __future__ import annotations

import os

from dagster import Definitions
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration import paths
from orchestration.assets import publish, raw, studies
from orchestration.assets.dbt import dri_dbt_models
from orchestration.automation import (
    BUILD_JOB,
    build_all_job,
    landing_failure_sensor,
    landing_sensor,
    monthly_refresh,
    refresh_jobs,
)
from orchestration.dbt_project import DBT_PROJECT
from orchestration.quality.gx_checks import ASSET_CHECKS
from orchestration.run_history import write_history_without_fsync

__all__ = ["BUILD_JOB", "build_definitions", "defs"]


def build_definitions() -> Definitions:
    """Resources are read from `orchestration.paths` at call time, so tests can point a
    fresh Definitions at a temporary warehouse through the environment."""
    work_db = paths.work_db_path()
    work_db.parent.mkdir(parents=True, exist_ok=True)
    # dbt runs as a subprocess and finds the same file through this variable (profiles.yml).
    os.environ["DRI_DUCKDB_PATH"] = str(work_db)
    # Runs started by `dri ui` (the sensor's, the UI's) write their history as `dri build` does.
    write_history_without_fsync()
    return Definitions(
        assets=[
            raw.city_yearbook_values,
            raw.patent_records,
            raw.patent_ipc_codes,
            raw.yearbook_long_values,
            dri_dbt_models,
            *studies.STUDY_ASSETS,
            publish.published_warehouse,
        ],
        asset_checks=ASSET_CHECKS,
        jobs=[build_all_job, *refresh_jobs.values()],
        sensors=[landing_sensor, landing_failure_sensor],
        schedules=[monthly_refresh],
        resources={
            "duckdb": DuckDBResource(database=str(work_db)),
            "dbt": DbtCliResource(project_dir=DBT_PROJECT),
        },
    )


defs = build_definitions()
