"""Publish layer: the working database becomes the analysts' warehouse, atomically."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration import paths
from orchestration.publish import publish


@asset(
    key=["published_warehouse"],
    group_name="publish",
    deps=[
        AssetKey(["reports", "benchmark_twfe_report"]),
        AssetKey(["estimates", "benchmark_twfe"]),
        AssetKey(["raw", "yearbook_long_values"]),
    ],
    description="Atomically replaces warehouse/dri.duckdb with this run's working database. "
    "Runs only when everything upstream succeeded, so analysts never see a failed build.",
)
def published_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    target = publish(paths.work_db_path(), paths.published_db_path())
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(target)),
        "size_bytes": target.stat().st_size,
    })
