"""The one Dagster code location of DRI Warehouse: assets, checks, resources, jobs."""

from __future__ import annotations

import os
from collections.abc import Sequence

from dagster import AssetsDefinition, AssetSpec, Definitions, map_asset_specs
from dagster_duckdb import DuckDBResource

from orchestration import paths
from orchestration.assets import publish, raw, studies
from orchestration.assets.dbt import dri_dbt_models
from orchestration.assets.landing import DATA_OWNER, FILE_ASSETS, RESEARCH_OWNER
from orchestration.automation import (
    BUILD_JOB,
    build_all_job,
    landing_failure_sensor,
    landing_sensor,
    monthly_refresh,
    refresh_jobs,
)
from orchestration.dbt_project import DBT_PROJECT, DriDbtCliResource
from orchestration.quality.gx_checks import ASSET_CHECKS
from orchestration.run_history import write_history_without_fsync

__all__ = ["BUILD_JOB", "CODE_LOCATION", "build_definitions", "defs"]

# The code location's name, as `[tool.dagster] code_location_name` in pyproject.toml says;
# `dri ui` passes it to `dagster dev`.
CODE_LOCATION = "dri"

# Kinds (the technology icons of the UI) and owners of the assets made by factories in
# modules that do not set them: a study table runs models_py (pandas, statsmodels) on a mart,
# writes estimates.* to DuckDB and draws its figures with matplotlib; a study report writes
# an Excel workbook and an HTML page; publishing copies the DuckDB file.
STUDY_TABLE_KINDS = {"python", "pandas", "matplotlib", "duckdb"}
STUDY_REPORT_KINDS = {"python", "excel", "html"}
PUBLISH_KINDS = {"duckdb"}


def _study_spec(spec: AssetSpec) -> AssetSpec:
    kinds = STUDY_REPORT_KINDS if spec.key.path[-1] == studies.REPORT_TABLE else STUDY_TABLE_KINDS
    return spec.merge_attributes(kinds=kinds - spec.kinds, owners=[RESEARCH_OWNER])


def _publish_spec(spec: AssetSpec) -> AssetSpec:
    return spec.merge_attributes(kinds=PUBLISH_KINDS - spec.kinds, owners=[DATA_OWNER])


def annotated_assets() -> Sequence[AssetsDefinition]:
    """Every asset of the location, with kinds and owners on the study and publish assets."""
    return [
        *FILE_ASSETS,
        raw.city_yearbook_values,
        raw.patent_records,
        raw.ipc_pieces,
        raw.yearbook_long_values,
        dri_dbt_models,
        *map_asset_specs(_study_spec, studies.STUDY_ASSETS),
        *map_asset_specs(_publish_spec, [publish.published_warehouse]),
    ]


def build_definitions() -> Definitions:
    """Resources are read from `orchestration.paths` at call time, so tests can point a
    fresh Definitions at a temporary warehouse through the environment."""
    work_db = paths.work_db_path()
    work_db.parent.mkdir(parents=True, exist_ok=True)
    # dbt runs as a subprocess and finds the same file, with the memory limit the build's own
    # connections get, through these variables (profiles.yml).
    os.environ.update(paths.dbt_profile_env())
    # Runs started by `dri ui` (the sensor's, the UI's) write their history as `dri build` does.
    write_history_without_fsync()
    return Definitions(
        assets=annotated_assets(),
        asset_checks=ASSET_CHECKS,
        jobs=[build_all_job, *refresh_jobs.values()],
        sensors=[landing_sensor, landing_failure_sensor],
        schedules=[monthly_refresh],
        resources={
            "duckdb": DuckDBResource(database=str(work_db), connection_config={
                "memory_limit": paths.duckdb_memory_limit()}),
            "dbt": DriDbtCliResource(project_dir=DBT_PROJECT),
        },
    )


defs = build_definitions()
