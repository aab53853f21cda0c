"""Estimation layer: the benchmark two-way fixed-effects model of paper 002 on the city panel."""


import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from models_py.panel import PanelResult, fit_panel_ols
from orchestration.assets.dbt import dri_dbt_models
from orchestration.assets.raw import DUCKDB_POOL

STUDY = "demo_benchmark"
DEPENDENT = "ln_sei_revenue"
CORE = "dri_index"
CONTROLS = ["ln_pgdp", "gov", "ln_population"]
CITY_PANEL = get_asset_key_for_model([dri_dbt_models], "city_panel_balanced")


def benchmark_models(panel: pd.DataFrame) -> list[PanelResult]:
    """Paper 002's benchmark: ln(SEI revenue) on the integration index, two-way FE,
    errors clustered by city; (1) without and (2) with the controls."""
    common = dict(dependent=DEPENDENT, entity="city_code", time="year",
                  entity_effects=True, time_effects=True, cov="clustered_entity")
    return [
        fit_panel_ols(panel, regressors=[CORE], name="no controls", **common),
        fit_panel_ols(panel, regressors=[CORE, *CONTROLS], name="with controls", **common),
    ]


def store_results(con, study: str, results: list[PanelResult]) -> None:
    """Replace this study's rows in estimates.coefficients / estimates.model_stats."""
    coefs = pd.concat([r.coefficients_frame() for r in results]).assign(study=study)
    stats = pd.concat([r.stats_frame() for r in results]).assign(study=study)
    con.execute("CREATE SCHEMA IF NOT EXISTS estimates")
    for table, frame in (("coefficients", coefs), ("model_stats", stats)):
        con.register("frame_df", frame)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS estimates.{table} AS SELECT * FROM frame_df LIMIT 0"
        )
        con.execute(f"DELETE FROM estimates.{table} WHERE study = ?", [study])
        con.execute(f"INSERT INTO estimates.{table} BY NAME SELECT * FROM frame_df")
        con.unregister("frame_df")


@asset(
    key=["estimates", "benchmark_twfe"],
    group_name="estimation",
    pool=DUCKDB_POOL,
    deps=[CITY_PANEL],
    description="Two-way fixed-effects regressions of ln(strategic emerging industry revenue) "
    "on the digital-real integration index in paper 002's balanced panel, without and with "
    "controls (ln per-capita GDP, "
    "government expenditure share, ln population), errors clustered by city. Tidy results in "
    "estimates.coefficients and estimates.model_stats.",
)
def benchmark_twfe(context: AssetExecutionContext, duckdb: DuckDBResource) -> Output:
    with duckdb.get_connection() as con:
        # A fixed row order makes the floating-point results reproducible bit for bit.
        panel = con.execute("SELECT * FROM marts.city_panel_balanced ORDER BY city_code, year").df()
        results = benchmark_models(panel)
        store_results(con, STUDY, results)
    main = results[-1]
    return Output(
        results,
        metadata={
            "dagster/row_count": int(sum(len(r.params) for r in results)),
            "nobs": main.nobs,
            "n_entities": main.n_entities,
            f"coef_{CORE}": float(main.params[CORE]),
            f"se_{CORE}": float(main.std_errors[CORE]),
            "coefficients": MetadataValue.md(
                main.coefficients_frame().to_markdown(index=False, floatfmt=".4f")
            ),
        },
    )

