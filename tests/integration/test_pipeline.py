"""The whole pipeline on the default synthetic demo: landing -> raw -> dbt -> estimates ->
reports -> published warehouse, checked against the generator's known truth."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.demo.city import DEFAULT_CITIES, TRUE_TOTAL_EFFECT, YEARS
from tests.conftest import ROOT, Warehouse, run_dri

pytestmark = pytest.mark.integration


def query(warehouse: Warehouse, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        return con.execute(sql).df()


def test_city_panel_has_every_city_year(built_warehouse: Warehouse) -> None:
    counts = query(built_warehouse, "SELECT count(*) AS n, count(DISTINCT city_code) AS cities, "
                                    "count(DISTINCT year) AS years FROM marts.city_panel")
    assert counts.loc[0, "n"] == DEFAULT_CITIES * len(YEARS)
    assert counts.loc[0, "cities"] == DEFAULT_CITIES
    assert counts.loc[0, "years"] == len(YEARS)


def test_city_panel_measures_what_the_generator_drew(built_warehouse: Warehouse) -> None:
    """The index and the counts come from classifying and locating 250k patent records and
    from reading 30 workbooks; they must equal the generator's own values."""
    panel = query(built_warehouse, "SELECT * FROM marts.city_panel")
    truth = pd.read_csv(built_warehouse.truth, dtype={"city_code": str})
    merged = truth.merge(panel, on=["city_code", "year"], suffixes=("_true", ""))
    assert len(merged) == len(truth)
    for column in ["patents", "integrated_patents", "digital_patents",
                   "digital_invention_patents", "invention_patents"]:
        assert (merged[column] == merged[f"{column}_true"]).all(), column
    for column in ["integrated_share", "ln_digital_invention", "ln_sei_revenue", "ln_pgdp", "gov",
                   "ln_population"]:
        np.testing.assert_allclose(merged[column], merged[f"{column}_true"], rtol=1e-9,
                                   err_msg=column)


def test_twfe_recovers_the_true_total_effect(built_warehouse: Warehouse) -> None:
    # Column (4) of paper 002's benchmark table: two-way FE with all three controls.
    coef = query(built_warehouse, "SELECT estimate, std_error FROM estimates.coefficients "
                                  "WHERE study = 'paper002_city' AND table_name = 'benchmark' "
                                  "AND model_order = 4 AND term = 'integrated_share'")
    assert len(coef) == 1
    estimate, se = coef.loc[0, "estimate"], coef.loc[0, "std_error"]
    # True total effect 1.3 (0.5 direct + 2.0 x 0.4 through digital invention patents).
    # Tolerance: 0.15 absolute (about 3.5 clustered SEs at the default size) and 4 SEs.
    assert abs(estimate - TRUE_TOTAL_EFFECT) < 0.15
    assert abs(estimate - TRUE_TOTAL_EFFECT) < 4 * se
    assert 0.01 < se < 0.15


def test_reports_written_and_marked_synthetic(built_warehouse: Warehouse) -> None:
    study = built_warehouse.reports / "paper002_city"
    table = (study / "benchmark.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in table
    assert "Integrated-patent share" in table  # the label of integrated_share
    assert "SYNTHETIC" in (study / "benchmark.tex").read_text(encoding="utf-8")
    assert (study / "benchmark.csv").exists() and (study / "paper002_city.xlsx").exists()
    png = (study / "benchmark_coef.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert '<div class="banner">SYNTHETIC DATA' in (study / "index.html").read_text("utf-8")
    # The study on the real provincial S&T tables is not labelled synthetic.
    real = (built_warehouse.reports / "real_province_st" / "index.html").read_text("utf-8")
    assert 'class="banner"' not in real and "no input is flagged synthetic" in real


def test_build_prints_a_summary(built_warehouse: Warehouse) -> None:
    out = built_warehouse.build_output
    assert "build succeeded" in out
    assert "marts/city_panel" in out
    assert "published warehouse" in out
    assert "Checks:" in out


ANSI_ESCAPE = re.compile(r"\x1b\[")


def test_build_output_is_plain_short_and_timed(built_warehouse: Warehouse) -> None:
    """Captured through a pipe (not a terminal): no colour codes, no table cut at 80
    columns, no dbt line per node (those are in the dbt output log it names), no dagster-dbt
    warning about singular tests, and the seconds of each step and phase."""
    out, err = built_warehouse.build_output, built_warehouse.build_stderr
    assert not ANSI_ESCAPE.search(out) and not ANSI_ESCAPE.search(err)
    assert "singular test" not in out + err and "AssetObservation" not in out + err
    assert "Warning:" not in out + err, [line for line in (out + err).splitlines()
                                         if "Warning:" in line]
    assert "│ studies/paper002_city/heterogeneity_hu_line " in out  # whole name, one line
    assert "Time by step (slowest first)" in out and "│ dri_dbt_models " in out
    phases = re.search(r"^Time by phase: ingest [\d.]+ s, dbt [\d.]+ s, checks [\d.]+ s, "
                       r"studies [\d.]+ s, publish [\d.]+ s; steps [\d.]+ s of [\d.]+ s in all$",
                       out, re.M)
    assert phases, out[-3000:]
    assert " OK created sql " not in out and " PASS " not in out
    log = Path(re.search(r"^dbt output: (.+)$", out, re.M).group(1))
    assert log.parent == built_warehouse.root / "warehouse" / "work" / "dbt_run"
    assert not list(log.parent.parent.glob("dbt_run.old-*"))  # the last run's only
    dbt_lines = log.read_text(encoding="utf-8")
    assert " OK created sql table model marts.city_panel " in dbt_lines
    assert "Unable to do partial parsing" not in dbt_lines  # dbt reuses `dbt parse`
    assert not ANSI_ESCAPE.search(dbt_lines)
    assert len(out.splitlines()) < 600, len(out.splitlines())
    # No per-run folder of this run in the project's target/ (the run writes dbt_run/).
    run_id = re.search(r"\(run ([0-9a-f-]{36})", out).group(1)
    assert not list((ROOT / "dbt_project" / "target").glob(f"dri_dbt_models-{run_id[:7]}-*"))


def test_not_null_constraints_hold_in_the_published_file(built_warehouse: Warehouse) -> None:
    """The marts whose contract declares `not_null` constraints (in place of not_null test
    nodes) have those columns NOT NULL in the published file, which DuckDB enforces on every
    write, and the copy made at publish keeps them."""
    import json

    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    declared = {
        (node["name"], column)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]
        for column, props in node["columns"].items()
        if any(c["type"] == "not_null" for c in props.get("constraints", []))
    }
    assert len(declared) > 150 and ("city_panel", "city_code") in declared
    not_null = set(map(tuple, query(built_warehouse, """
        SELECT table_name, column_name FROM duckdb_columns()
        WHERE schema_name = 'marts' AND NOT is_nullable""").itertuples(index=False)))
    assert declared == not_null


def test_provenance_and_quarantine_tables(built_warehouse: Warehouse) -> None:
    files = query(built_warehouse, "SELECT * FROM raw.landing_files")
    demo = files[files["kind"].isin(["city_yearbook", "patents"])]
    long = files[files["kind"] == "yearbook_long"]
    assert len(demo) == len(YEARS) + 1 and demo["synthetic"].all()
    # the bundled real S&T tables, and the synthetic provincial panel of the demo
    synthetic_long = long["source_file"].str.startswith("yearbook_long/demo_province/")
    assert synthetic_long.sum() == 1 and long.loc[synthetic_long, "synthetic"].all()
    assert len(long) == 12 and not long.loc[~synthetic_long, "synthetic"].any()
    assert (files["status"] == "current").all()
    assert files["source_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert all(Path(p).exists() for p in files["archived_path"])
    raw = query(built_warehouse, "SELECT count(*) AS n, count(DISTINCT source_file) AS f "
                                 "FROM raw.city_yearbook_values")
    assert raw.loc[0, "f"] == len(YEARS)


def test_dri_sql_table_and_csv(built_warehouse: Warehouse) -> None:
    proc = run_dri(built_warehouse.env, "sql",
                   "SELECT year, count(*) AS n FROM marts.city_panel GROUP BY year ORDER BY year",
                   "--csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [int(r["year"]) for r in rows] == list(YEARS)
    assert {int(r["n"]) for r in rows} == {DEFAULT_CITIES}
    proc = run_dri(built_warehouse.env, "sql", "SELECT count(*) AS cities FROM ref.ref_cities")
    assert proc.returncode == 0 and "cities" in proc.stdout
    bad = run_dri(built_warehouse.env, "sql", "SELECT * FROM no_such_table")
    assert bad.returncode == 1 and "query failed" in bad.stderr


IDEMPOTENT_TABLES = ["marts.city_panel", "estimates.coefficients", "estimates.models",
                     "estimates.tests"]


def table_fingerprints(warehouse: Warehouse) -> dict[str, str]:
    """Order-independent content hash of each table."""
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) || ':' || sum(hash(x)) FROM {t} x").fetchone()[0]
                for t in IDEMPOTENT_TABLES}


def test_dri_sql_reads_while_a_build_runs(built_warehouse: Warehouse) -> None:
    """Analysts keep querying the published file during a full rebuild: every read succeeds
    and sees a complete panel (the rebuild publishes by atomic replacement). The rebuild of
    an unchanged landing zone (forced: it would be "up to date") leaves marts and estimates
    identical (idempotence)."""
    before = table_fingerprints(built_warehouse)
    # Output to a file, not a pipe: an unread pipe fills up and blocks the build.
    log = (built_warehouse.root / "rebuild.log").open("w+", encoding="utf-8")
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "build", "--force"], env=built_warehouse.env,
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    reads = []
    try:
        while rebuild.poll() is None:
            proc = run_dri(built_warehouse.env, "sql",
                           "SELECT count(*) AS n FROM marts.city_panel", "--csv", timeout=60)
            reads.append((proc.returncode, proc.stdout.strip().splitlines()[-1:], proc.stderr))
            time.sleep(0.2)
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
        rebuild.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert rebuild.returncode == 0, output[-3000:]
    assert len(reads) >= 3
    expected = [str(DEFAULT_CITIES * len(YEARS))]
    assert all(rc == 0 and last == expected for rc, last, _ in reads), reads
    assert table_fingerprints(built_warehouse) == before


def test_example_queries_run(built_warehouse: Warehouse) -> None:
    queries = sorted((ROOT / "warehouse" / "queries").glob("*.sql"))
    assert queries
    for path in queries:
        proc = run_dri(built_warehouse.env, "sql", "--file", str(path), "--csv")
        assert proc.returncode == 0, (path.name, proc.stderr)
        assert proc.stdout.splitlines(), path.name


def test_identical_rebuild_is_up_to_date(built_warehouse: Warehouse) -> None:
    # Whatever other tests did to this warehouse, a first build brings it up to date (it
    # rebuilds or refreshes if they left it unpublished), and the one after has nothing to do.
    first = run_dri(built_warehouse.env, "build")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    published = built_warehouse.published.read_bytes()
    proc = run_dri(built_warehouse.env, "build")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "up to date" in proc.stdout and "Running build_all" not in proc.stdout
    assert built_warehouse.published.read_bytes() == published


def test_value_provenance_traces_a_panel_value_to_its_cell(built_warehouse: Warehouse) -> None:
    # 2020 is printed in the demo's printed-page layout: "石 家 庄", GDP as "1,234,567"
    cell = query(built_warehouse, "SELECT * FROM marts.value_provenance WHERE region_code = "
                 "'130100' AND year = 2020 AND indicator_code = 'gdp' AND scope = '全市'")
    panel = query(built_warehouse, "SELECT gdp FROM marts.city_panel WHERE city_code = "
                  "'130100' AND year = 2020")
    assert len(cell) == 1 and cell["value"][0] == pytest.approx(panel["gdp"][0])
    row = cell.iloc[0]
    assert (row.source_file, row.sheet_name) == ("city_yearbook/ccsy_2020.xlsx", "人口与经济")
    assert (row.header_printed, row.region_printed, row.unit_printed) == ("地区生产总值", "石家庄",
                                                                          "万元")
    assert "," in row.value_printed and row.source_row > 5 and row.source_col == 2


def test_tables_and_describe_read_the_published_file(built_warehouse: Warehouse) -> None:
    listed = run_dri(built_warehouse.env, "tables", "marts.*")
    assert listed.returncode == 0, listed.stderr
    assert "marts.city_panel " in listed.stdout and "marts.value_provenance" in listed.stdout
    assert "raw.patents" not in listed.stdout  # the glob keeps to marts
    assert "Analysis-ready city panel" in listed.stdout  # the model's dbt description
    shown = run_dri(built_warehouse.env, "describe", "marts.city_panel")
    assert shown.returncode == 0, shown.stderr
    assert "city_code" in shown.stdout and "VARCHAR" in shown.stdout
    unknown = run_dri(built_warehouse.env, "describe", "city_pannel")
    assert unknown.returncode == 2 and "marts.city_panel" in unknown.stderr
