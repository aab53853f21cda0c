"""`dri`: build the warehouse, browse it in the Dagster UI, query it with SQL.

Heavy imports (Dagster, dbt, pandas) happen inside the commands that need them, so
`dri --help` and `dri sql` start fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from orchestration import paths

app = typer.Typer(
    help="DRI Warehouse: yearbooks and patents in; panels, indices and econometric tables out.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


def _use_dagster_home() -> Path:
    home = paths.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        # No telemetry: the machines this runs on reach no network but package registries.
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@app.command("demo-data")
def demo_data(
    seed: int = typer.Option(20240601, help="Random seed; the same seed writes the same files."),
    cities: int = typer.Option(198, help="Number of prefecture-level cities (1-333)."),
    scale: float = typer.Option(1.0, help="Multiplier on the number of patent records."),
    force: bool = typer.Option(False, help="Write even if the landing zone already has files."),
) -> None:
    """Write SYNTHETIC demo yearbooks and a patent extract into the landing zone."""
    from orchestration.ingest import demo_data as demo
    from orchestration.ingest.landing import discover

    landing = paths.landing_dir()
    if discover(landing) and not force:
        err.print(f"[red]landing zone {landing} is not empty[/]; use --force to add demo files")
        raise typer.Exit(2)
    _write_demo(demo, landing, seed, cities, scale)


def _write_demo(demo, landing: Path, seed: int, cities: int, scale: float) -> None:
    console.print(f"[bold]Writing synthetic demo data[/] (seed {seed}, {cities} cities, "
                  f"scale {scale}) to {landing}")
    files = demo.write_demo_data(
        landing, paths.demo_truth_path(), seed=seed, n_cities=cities, scale=scale,
        progress=lambda msg: console.print(f"  {msg}"),
    )
    console.print(f"  {files.n_city_years:,} city-years, {files.n_patents:,} patents; "
                  f"true values in {files.truth}")


@app.command()
def build(
    demo_cities: int = typer.Option(198, help="Cities in the demo data if the landing is empty."),
    demo_scale: float = typer.Option(1.0, help="Patent volume of the demo data if written."),
) -> None:
    """Materialize everything in-process: landing -> raw -> dbt -> estimates -> reports,
    then publish warehouse/dri.duckdb atomically if every step and blocking check passed."""
    started = time.monotonic()
    from orchestration.ingest import demo_data as demo
    from orchestration.ingest.landing import discover

    landing = paths.landing_dir()
    if not discover(landing):
        _write_demo(demo, landing, demo.DEFAULT_SEED, demo_cities, demo_scale)

    console.print("[bold]Preparing dbt manifest[/] (dbt parse)")
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest(force=True)
    _use_dagster_home()
    from dagster import DagsterInstance

    from orchestration.build import run_build

    with DagsterInstance.get() as instance:
        summary = run_build(instance, console)
    summary.print(console, elapsed=time.monotonic() - started)
    if not summary.success:
        raise typer.Exit(1)


@app.command()
def sql(
    query: str = typer.Argument(..., help="A SQL query, e.g. \"SELECT * FROM marts.city_panel\""),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    limit: int = typer.Option(50, help="Rows shown in table mode (CSV prints all)."),
) -> None:
    """Run a read-only query on the published warehouse."""
    import duckdb

    db = paths.published_db_path()
    if not db.exists():
        err.print(f"[red]no published warehouse at {db}[/]: run `dri build` first")
        raise typer.Exit(2)
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        err.print(f"[red]query failed:[/] {exc}")
        raise typer.Exit(1) from exc
    if csv:
        import csv as csv_lib

        writer = csv_lib.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns, caption=f"{len(rows):,} rows" + (
        f" (first {limit} shown)" if len(rows) > limit else ""))
    for row in rows[:limit]:
        table.add_row(*["NULL" if v is None else str(v) for v in row])
    console.print(table)


@app.command()
def ui(port: int = typer.Option(3000, help="Port on localhost.")) -> None:
    """Start the Dagster UI on localhost (lineage, runs, checks)."""
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    home = _use_dagster_home()
    console.print(f"Dagster UI on http://127.0.0.1:{port} (DAGSTER_HOME={home})")
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions",
           "-h", "127.0.0.1", "-p", str(port)]
    raise typer.Exit(subprocess.call(cmd))


if __name__ == "__main__":
    app()
