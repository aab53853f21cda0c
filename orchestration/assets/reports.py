"""Report layer: paper-style tables and figures under reports/."""


from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from models_py.figures import coefficient_plot
from models_py.panel import PanelResult
from models_py.tables import regression_table, to_markdown
from orchestration import paths
from orchestration.assets.estimation import CORE, STUDY

LABELS = {
    "dri_index": "Digital-real integration (DRI)",
    "ln_pgdp": "ln per-capita GDP",
    "gov": "Government expenditure / GDP",
    "ln_population": "ln population",
}
SYNTHETIC = "SYNTHETIC DEMO DATA — simulated with known true effects, not real statistics."


def data_note(con) -> str:
    """Say where the numbers come from; synthetic inputs are flagged on every output."""
    files, synthetic = con.execute(
        "SELECT count(*), coalesce(bool_or(synthetic), false) FROM raw.landing_files "
        "WHERE status = 'current'"
    ).fetchone()
    source = f"Source: {files} landing files (see raw.landing_files)."
    return f"{SYNTHETIC} {source}" if synthetic else source


@asset(
    key=["reports", "benchmark_twfe_report"],
    group_name="reports",
    ins={"results": AssetIn(key=AssetKey(["estimates", "benchmark_twfe"]))},
    description="The benchmark regression table (Markdown) and a coefficient plot (PNG) under "
    "reports/demo_benchmark/.",
)
def benchmark_twfe_report(
    context: AssetExecutionContext, duckdb: DuckDBResource, results: list[PanelResult]
) -> MaterializeResult:
    with duckdb.get_connection() as con:
        note = data_note(con)
    out = paths.reports_dir() / STUDY
    out.mkdir(parents=True, exist_ok=True)
    table = regression_table(results, labels=LABELS)
    title = "Table 1. Digital-real integration and new-quality industry: two-way fixed effects"
    markdown = to_markdown(
        table, title=title,
        note=f"Dependent variable: ln strategic emerging industry revenue. City-clustered "
        f"standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01. {note}",
    )
    table_path = out / "benchmark_twfe.md"
    table_path.write_text(markdown, encoding="utf-8")
    figure_path = coefficient_plot(
        results, CORE, out / "benchmark_twfe_coef.png",
        title="Effect of digital-real integration (95% CI)",
        note=SYNTHETIC if SYNTHETIC in note else "",
    )
    return MaterializeResult(metadata={
        "table": MetadataValue.md(markdown),
        "table_path": MetadataValue.path(str(table_path)),
        "figure_path": MetadataValue.path(str(figure_path)),
    })
