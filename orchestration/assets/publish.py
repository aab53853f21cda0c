"""Publish layer: the working database becomes the analysts' warehouse, atomically."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration import paths
from orchestration.assets.dbt import dri_dbt_models
from orchestration.publish import publish

# Everything analysts query: the marts (all of them, so a new mart is covered without an
# edit here), the estimates and the reports. Publication waits for all of them.
PUBLISHED = sorted(
    [key for key in dri_dbt_models.keys if key.path[0] == "marts"]
    + [AssetKey(["estimates", "benchmark_twfe"]), AssetKey(["reports", "benchmark_twfe_report"])],
    key=lambda k: k.to_user_string(),
)


@asset(
    key=["published_warehouse"],
    group_name="publish",
    deps=PUBLISHED,
    description="Atomically replaces warehouse/dri.duckdb with this run's working database. "
    "Runs only when everything upstream succeeded, so analysts never see a failed build.",
)
def published_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    target = publish(paths.work_db_path(), paths.published_db_path())
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(target)),
        "size_bytes": target.stat().st_size,
    })
