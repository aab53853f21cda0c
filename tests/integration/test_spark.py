"""The patent chain and the DRI index on Apache Spark equal the DuckDB build (issue 18).

`orchestration.spark.build` runs the selector spark_scope with dbt-spark on Spark local[2]
over the landing zone of the session's demo warehouse (the SYNTHETIC demo patents, read by
Spark itself from the CSV), and the Spark tables are compared with the DuckDB warehouse built
from the same landing files: the same rows by key, counts exactly, DOUBLE columns to 1e-9.
The dbt data tests of the scope are not run here (they run on DuckDB in the session build;
`dri spark build` runs them on Spark), to keep the test to the Spark build of the models.
"""

from __future__ import annotations

import time

import duckdb
import pytest

from orchestration import spark

pytestmark = [pytest.mark.integration, pytest.mark.spark]


@pytest.fixture(scope="module")
def spark_build(built_warehouse, tmp_path_factory):
    try:
        spark.java_version()
    except spark.SparkSetupError as exc:  # .ci/run installs Java; elsewhere say what to do
        pytest.fail(str(exc))
    root = tmp_path_factory.mktemp("spark")
    started = time.perf_counter()
    result = spark.build(
        root=root,
        landing=built_warehouse.root / "warehouse" / "landing",
        echo=None,
        extra=["--resource-type", "seed", "--resource-type", "model"],
    )
    seconds = time.perf_counter() - started
    log = result.log.read_text(encoding="utf-8") if result.log else ""
    assert result.ok, log[-6000:]
    print(f"\nSpark build of spark_scope (models and seeds): {seconds:.0f} s")
    return root, result


def test_spark_marts_equal_duckdb_marts(built_warehouse, spark_build):
    root, result = spark_build
    # Parquet tables, the per-year ones partitioned by year
    assert "marts.dri_index" in result.tables
    assert any(p.name.startswith("year=") for p in result.tables["marts.dri_index"].iterdir())
    assert any(
        p.name.startswith("application_year=")
        for p in result.tables["intermediate.int_city_patent_counts"].iterdir()
    )
    con = duckdb.connect(str(built_warehouse.published), read_only=True)
    try:
        compared = spark.compare_with_duckdb(con, root, tolerance=1e-9)
    finally:
        con.close()
    assert {c.table for c in compared} == {
        f"{schema}.{table}" for schema, tables in spark.MARTS.items() for table in tables
    }
    for c in compared:
        assert c.duckdb_rows > 0, c.table
        assert c.equal, (
            f"{c.table}: duckdb {c.duckdb_rows} rows, spark {c.spark_rows}, "
            f"{c.mismatched_rows} differ (keys {c.examples}), max diff {c.max_abs_diff}, "
            f"missing on Spark: {c.missing_in_spark}"
        )


def test_dri_sql_reads_the_spark_output(spark_build):
    """`dri sql` attaches the Spark Parquet tables as catalog `spark`."""
    root, _ = spark_build
    con = duckdb.connect()
    try:
        for statement in spark.spark_views_sql(root):
            con.execute(statement)
        rows = con.execute("SELECT count(*), count(DISTINCT year) FROM spark.dri_index").fetchone()
    finally:
        con.close()
    assert rows[0] > 0 and rows[1] > 1
