"""Descriptions become DuckDB comments at publish time, and quality.quarantine has raw's types.

Small files built here; the share of documented columns of the real warehouse is measured
on the integration build (tests/integration/test_sql_clients.py).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.comments import (
    Catalog,
    apply_comments,
    dbt_catalog,
    documented_share,
    warehouse_catalog,
)
from orchestration.ingest import schema
from orchestration.publish import publish

CATALOG = Catalog(
    tables={("marts", "t"): "The t table; it's quoted", ("marts", "v"): "A view of t"},
    columns={("marts", "t"): {"a": "Column a", "b": "It's b"}, ("marts", "v"): {"a": "a again"}},
)


def _make(path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (a INTEGER, b VARCHAR, c DOUBLE)")
        con.execute("CREATE VIEW marts.v AS SELECT a FROM marts.t")
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.x (y INTEGER)")


def _comments(con) -> dict[str, str | None]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name, comment "
        "FROM duckdb_columns() WHERE schema_name IN ('marts', 'raw')"
    ).fetchall()
    rows += con.execute(
        "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
        "UNION ALL SELECT schema_name || '.' || view_name, comment "
        "FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return dict(rows)


def test_apply_comments_documents_tables_views_and_columns(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    _make(db)
    with duckdb.connect(str(db)) as con:
        report = apply_comments(con, CATALOG)
        comments = _comments(con)
        share, missing = documented_share(con, ("marts",))
    assert (
        comments["marts.t"] == "The t table; it's quoted" and comments["marts.v"] == "A view of t"
    )
    assert comments["marts.t.a"] == "Column a" and comments["marts.t.b"] == "It's b"
    assert comments["marts.v.a"] == "a again" and comments["marts.t.c"] is None
    assert (report.tables, report.columns) == (2, 3)
    # only the analyst schemas count as undocumented: marts.t.c, not raw.x
    assert report.undocumented == ["marts.t.c"]
    assert missing == ["marts.t.c"] and share == 3 / 4


def test_publish_writes_comments_into_the_published_and_the_working_file(tmp_path) -> None:
    work, published = tmp_path / "work.duckdb", tmp_path / "pub" / "dri.duckdb"
    _make(work)
    publish(work, published, annotate=lambda con: apply_comments(con, CATALOG))
    for path in (published, work):  # the working file is refreshed from the published one
        with duckdb.connect(str(path), read_only=True) as con:
            assert _comments(con)["marts.t.a"] == "Column a", path
    # a rebuild replaces the table (as dbt does): the next publish writes the comment again
    with duckdb.connect(str(work)) as con:
        con.execute("CREATE OR REPLACE TABLE marts.t (a INTEGER, b VARCHAR, c DOUBLE)")
        assert _comments(con)["marts.t.a"] is None
    publish(work, published, annotate=lambda con: apply_comments(con, CATALOG))
    with duckdb.connect(str(published), read_only=True) as con:
        assert _comments(con)["marts.t.a"] == "Column a"


def test_the_catalog_covers_dbt_models_seeds_sources_and_estimates() -> None:
    dbt = dbt_catalog()
    # a {{ doc() }} block is filled in, keyed by the schema the model is built in
    assert dbt.columns[("marts", "city_panel")]["dri_index"].startswith("**DRI index**")
    assert ("ref", "ref_provinces") in dbt.tables  # seeds are in ref
    assert dbt.columns[("raw", "city_yearbook_values")]["source_row"]  # sources by schema
    catalog = warehouse_catalog()
    assert catalog.columns[("estimates", "coefficients")]["term"]
    assert set(catalog.columns[("quality", "quarantine")]) >= set(schema.QUARANTINE)
    assert all("{{" not in text for cols in catalog.columns.values() for text in cols.values())


def test_quarantine_row_and_column_are_bigint_as_in_raw(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "q.duckdb")) as con:
        schema.ensure_quarantine(con)
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'quality' AND table_name = 'quarantine'"
            ).fetchall()
        )
    assert types["source_row"] == types["source_col"] == "BIGINT"
    assert types["reason"] == "VARCHAR"


def test_an_old_varchar_quarantine_is_migrated_in_place(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "q.duckdb")) as con:
        con.execute("CREATE SCHEMA quality")
        con.execute(
            "CREATE TABLE quality.quarantine ("
            + ", ".join(f"{c} VARCHAR" for c in schema.QUARANTINE)
            + ", loaded_at TIMESTAMP)"
        )
        con.execute(
            "INSERT INTO quality.quarantine (source_file, source_row, source_col, reason)"
            " VALUES ('a.csv', '12', NULL, 'not a number'), ('b.csv', NULL, '3', 'x')"
        )
        schema.ensure_quarantine(con)
        rows = con.execute(
            "SELECT source_file, source_row, source_col FROM quality.quarantine ORDER BY 1"
        ).fetchall()
        (row_type,) = con.execute(
            "SELECT typeof(source_row) FROM quality.quarantine LIMIT 1"
        ).fetchone()
        # it joins raw's BIGINT row without a cast
        con.execute("CREATE TABLE r AS SELECT 12::BIGINT AS source_row")
        (joined,) = con.execute(
            "SELECT count(*) FROM quality.quarantine JOIN r USING (source_row)"
        ).fetchone()
    assert rows == [("a.csv", 12, None), ("b.csv", None, 3)]
    assert row_type == "BIGINT" and joined == 1


def test_raw_asset_writes_integer_rows_to_quarantine(tmp_path) -> None:
    from orchestration.assets.raw import _replace_quarantine

    frame = pd.DataFrame(
        [
            {
                "source_file": "a.xlsx",
                "source_sha256": "ab",
                "sheet": "s",
                "source_row": 9,
                "source_col": 5,
                "target_table": "raw.t",
                "value_text": "abc",
                "reason": "not a number: 'abc'",
            }
        ]
    )
    with duckdb.connect(str(tmp_path / "q.duckdb")) as con:
        _replace_quarantine(con, "raw.t", frame.astype({"source_row": "Int64"}))
        assert con.execute("SELECT source_row, source_col FROM quality.quarantine").fetchall() == [
            (9, 5)
        ]
