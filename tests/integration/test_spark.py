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
        quarantine = spark.compare_ipc_quarantine(con, root)
    finally:
        con.close()
    # the IPC quarantine rows (none in the demo: it prints no unparseable code)
    assert quarantine.equal, quarantine
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


# Pieces the demo patents never print: every spelling, list and error case of the DuckDB
# ingest's unit tests, and the full-width quotes and backslash that both engines now fold.
IPC_PIECES = [
    "G06F 17/30",
    "G06F17/30",
    "G06F0017300000",
    "G06F 17/30 (2006.01)",
    "G06F17/30(2006.01)",
    "Ｇ０６Ｆ１７／３０",
    "Ｇ０６Ｆ\u3000１７／３０（２００６．０１）",
    "g06f 17/30",
    "  G06F  17 / 30 ",
    "G06F 17/300000",
    "A01B0001020000",
    "G06F0017301000",
    "G06F 17/3012",
    "H01L 21/020",
    "G06Q 1000/00",
    "G06F 0017/30",
    "G06F17/30 H04L29/08",
    "g06f0017300000 h04l0029080000",
    "G06F",
    "XYZ",
    "17/30",
    "G06F 17",
    "I01B 1/00",
    "G06F 17/3",
    "G06F 0/00",
    "G06F 17/30＂",
    "＇G06F 17/30",
    "G06F＼17/30",
    "",
]


def test_ipc_normalization_is_the_same_sql_on_spark():
    """The normalization has one source (dbt_project/macros/ipc/ipc_normalize.sql): its Spark
    rendering gives, piece for piece, the rows of the DuckDB rendering the ingest runs."""
    from pyspark.sql import SparkSession

    from orchestration.ingest import ipc

    con = duckdb.connect()
    con.execute("CREATE TABLE pieces (piece VARCHAR)")
    con.executemany("INSERT INTO pieces VALUES (?)", [[p] for p in IPC_PIECES])
    expected = sorted(con.execute(ipc.normalize_pieces_sql("pieces")).fetchall(), key=repr)
    con.close()
    assert any(row[-1] is not None for row in expected)  # errors are compared too
    session = (
        SparkSession.builder.master("local[1]")
        .appName("dri-ipc-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.parser.escapedStringLiterals", "true")  # as profiles.yml
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    try:
        session.createDataFrame([(p,) for p in IPC_PIECES], "piece string").createOrReplaceTempView(
            "pieces"
        )
        sql = ipc.render_macro("ipc_normalize_pieces_sql", "pieces", "spark")
        got = sorted((tuple(row) for row in session.sql(sql).collect()), key=repr)
    finally:
        session.stop()
    assert got == expected
