"""What a SQL client sees in the published file of the integration build: every marts, ref
and estimates table and column documented (duckdb_columns().comment), one meaning per DRI
name across marts, quarantine rows typed as raw's, and `dri describe` reading the file."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.comments import ANALYST_SCHEMAS, documented_share
from tests.conftest import Warehouse, run_dri

pytestmark = pytest.mark.integration


def _con(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse.published), read_only=True)


def test_every_analyst_column_and_table_has_a_comment(built_warehouse: Warehouse) -> None:
    with _con(built_warehouse) as con:
        share, missing = documented_share(con, ANALYST_SCHEMAS)
        tables = con.execute(
            "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
            "UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
            "WHERE NOT internal").fetchall()
        n_columns = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN "
            "('marts', 'ref', 'estimates')").fetchone()[0]
        (comment,) = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND "
            "table_name = 'city_panel' AND column_name = 'integrated_share'").fetchone()
    assert n_columns > 500  # the measure covers the real warehouse, not an empty file
    assert missing == [] and share == 1.0  # no allowed exceptions
    undocumented = [name for name, text in tables
                    if name.split(".")[0] in ANALYST_SCHEMAS and not text]
    assert undocumented == []
    assert comment.startswith("**Integrated-patent share**")


def test_one_name_one_measure_across_marts(built_warehouse: Warehouse) -> None:
    with _con(built_warehouse) as con:
        compared, share_gap, index_gap = con.execute("""
            SELECT count(*),
                   max(abs(p.integrated_share - d.integrated_share)),
                   max(abs(p.dri_index - d.dri_index))
            FROM marts.city_panel p JOIN marts.dri_index d USING (city_code, year)""").fetchone()
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts'").fetchall()}
        terms = {r[0] for r in con.execute(
            "SELECT DISTINCT term FROM estimates.coefficients "
            "WHERE study = 'paper002_city'").fetchall()}
    assert compared > 2000
    assert share_gap < 1e-12 and index_gap < 1e-12
    assert not columns & {"dri_composite", "integration_share"}
    assert "integrated_share" in terms and "dri_index" not in terms


def test_quarantine_rows_are_bigint_as_in_raw(built_warehouse: Warehouse) -> None:
    with _con(built_warehouse) as con:
        types = dict(con.execute(
            "SELECT table_schema || '.' || table_name, data_type FROM information_schema.columns"
            " WHERE column_name = 'source_row' AND table_schema IN ('raw', 'quality')").fetchall())
    assert types["quality.quarantine"] == "BIGINT"
    assert set(types.values()) == {"BIGINT"}, types


def test_dri_describe_shows_the_files_comments(built_warehouse: Warehouse) -> None:
    proc = run_dri(built_warehouse.env, "describe", "estimates.table_inputs")
    assert proc.returncode == 0, proc.stderr
    # written by Python, described only by the comment the publish step wrote
    assert "Fingerprint of what each study table was last estimated from" in proc.stdout
    assert "sha256 of the table's inputs" in proc.stdout
