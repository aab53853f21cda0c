"""Publish layer: the working database becomes the analysts' warehouse, atomically."""


import os

import duckdb
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration import fingerprint, paths
from orchestration.assets.dbt import dri_dbt_models
from orchestration.assets.studies import STUDY_ASSET_KEYS
from orchestration.comments import ANALYST_SCHEMAS, apply_comments
from orchestration.publish import publish

# Everything analysts query: the marts (all of them, so a new mart is covered without an
# edit here) and every study's tables and report (every spec in models_py/studies/specs).
# Publication waits for all of them.
PUBLISHED = sorted(
    [key for key in dri_dbt_models.keys if key.path[0] == "marts"] + STUDY_ASSET_KEYS,
    key=lambda k: k.to_user_string(),
)


@asset(
    key=["published_warehouse"],
    group_name="publish",
    deps=PUBLISHED,
    description="Atomically replaces warehouse/dri.duckdb with a compacted copy of this run's "
    "working database (only live data: the file does not grow across rebuilds), with every "
    "table's and column's description as a DuckDB comment (COMMENT ON). "
    "Runs only when everything upstream succeeded, so analysts never see a failed build.",
)
def published_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    # What this build was made from, so an identical rebuild can say "up to date" and a later
    # one can refresh only what changed (runs the sensor starts record none: the next
    # `dri build` then builds everything).
    with duckdb.connect(str(paths.work_db_path())) as con:
        fingerprint.record(con, os.environ.get(fingerprint.ENV_VAR))
    written = []
    target = publish(paths.work_db_path(), paths.published_db_path(),
                     annotate=lambda con: written.append(apply_comments(con)))
    report = written[0]
    if report.undocumented:  # a new mart column without a YAML description
        context.log.warning(f"{len(report.undocumented)} table(s) or column(s) of "
                            f"{', '.join(ANALYST_SCHEMAS)} have no description: "
                            + ", ".join(report.undocumented[:20]))
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(target)),
        "size_bytes": target.stat().st_size,
        "comments": MetadataValue.json({"tables": report.tables, "columns": report.columns,
                                        "undocumented": report.undocumented}),
    })
