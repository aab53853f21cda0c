"""dbt models as Dagster assets: staging -> intermediate -> marts, with dbt tests as checks."""


from collections.abc import Iterator, Mapping
from typing import Any

import duckdb as duckdb_lib
from dagster import AssetExecutionContext, AssetKey, MetadataValue, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration import paths
from orchestration.assets.raw import DUCKDB_POOL
from orchestration.dbt_project import DBT_PROJECT, prepare_manifest

DBT_PROJECT.prepare_if_dev()


class DriDbtTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>`, groups by layer folder; sources keep the keys their
    `meta.dagster.asset_key` gives (the raw assets), which connects the lineage."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def dbt_build_args() -> list[str]:
    """Arguments of the one dbt invocation per run (kept a plain function so it is testable)."""
    return ["build"]


def with_row_counts(context: AssetExecutionContext, events: list, database: str) -> Iterator:
    """Attach row counts and a preview to each model output once dbt has released the file
    (dbt-duckdb holds DuckDB's lock while it runs, so counts cannot be read during it)."""
    with duckdb_lib.connect(database, read_only=True) as con:
        for event in events:
            if not isinstance(event, Output):
                yield event
                continue
            schema, name = context.asset_key_for_output(event.output_name).path[-2:]
            relation = f'"{schema}"."{name}"'
            count = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
            preview = con.execute(f"SELECT * FROM {relation} LIMIT 5").df()
            yield event.with_metadata({
                **event.metadata,
                "dagster/row_count": int(count),
                "preview": MetadataValue.md(preview.to_markdown(index=False)),
            })


prepare_manifest()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    dagster_dbt_translator=DriDbtTranslator(),
    pool=DUCKDB_POOL,
)
def dri_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    events = list(dbt.cli(dbt_build_args(), context=context).stream())
    yield from with_row_counts(context, events, str(paths.work_db_path()))
