"""Atomic publication: readers see the old file or the new one, a failure changes nothing."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from orchestration.publish import publish


def _make_db(path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])


def test_publish_replaces_and_open_readers_keep_the_old_file(tmp_path) -> None:
    work, published = tmp_path / "work.duckdb", tmp_path / "pub" / "dri.duckdb"
    _make_db(work, 1)
    publish(work, published)
    reader = duckdb.connect(str(published), read_only=True)
    _make_db(work, 2)
    publish(work, published)
    assert reader.execute("SELECT v FROM t").fetchone()[0] == 1  # old snapshot still readable
    reader.close()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT v FROM t").fetchone()[0] == 2
    assert not list(published.parent.glob(".*.tmp"))


def test_failed_publish_leaves_the_published_file_alone(tmp_path) -> None:
    work, published = tmp_path / "work.duckdb", tmp_path / "dri.duckdb"
    _make_db(work, 1)
    publish(work, published)
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    with pytest.raises(FileNotFoundError):
        publish(tmp_path / "missing.duckdb", published)
    work.write_bytes(b"not a duckdb file")
    with pytest.raises(duckdb.Error):
        publish(work, published)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".*.tmp"))


def _rebuild(path, n: int = 200_000) -> None:
    """What every build does to the working file: replace every table and view."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute("CREATE OR REPLACE MACRO marts.twice(x) AS x * 2")
        con.execute(f"CREATE OR REPLACE TABLE marts.panel AS SELECT range AS id, "
                    f"'city ' || range AS name, random() AS value FROM range({n})")
        con.execute("CREATE OR REPLACE VIEW marts.doubled AS "
                    "SELECT id, marts.twice(value) AS v2 FROM marts.panel")


def test_published_file_does_not_grow_across_identical_rebuilds(tmp_path) -> None:
    work, published = tmp_path / "work" / "w.duckdb", tmp_path / "dri.duckdb"
    work.parent.mkdir()
    _rebuild(work)
    publish(work, published)
    first = published.stat().st_size
    sizes, work_sizes = [], []
    for _ in range(4):
        _rebuild(work)
        publish(work, published)
        sizes.append(published.stat().st_size)
        work_sizes.append(work.stat().st_size)
    assert max(sizes) <= 1.1 * first, (first, sizes)
    # The working file is refreshed from the compacted copy, so it does not grow either.
    assert max(work_sizes) <= 1.1 * first, (first, work_sizes)
    # A byte copy would not have held: the rebuilt working file carries free blocks.
    _rebuild(work)
    with duckdb.connect(str(work)) as con:
        con.execute("CHECKPOINT")
    assert work.stat().st_size > 1.3 * first
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.doubled").fetchone()[0] == 200_000
    assert not list(tmp_path.glob(".*.tmp*")) and not list(work.parent.glob(".*.tmp*"))


def _catalog(path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        def rows(sql: str) -> list:
            return sorted(con.execute(sql).fetchall(), key=repr)

        return {
            "schemas": rows("SELECT schema_name FROM duckdb_schemas() WHERE NOT internal"),
            "tables": rows("SELECT schema_name, table_name, comment, estimated_size "
                           "FROM duckdb_tables()"),
            "columns": rows("SELECT schema_name, table_name, column_name, data_type, comment "
                            "FROM duckdb_columns() WHERE NOT internal"),
            "views": rows("SELECT schema_name, view_name, comment, sql FROM duckdb_views() "
                          "WHERE NOT internal"),
            "macros": rows("SELECT schema_name, function_name, function_type, comment "
                           "FROM duckdb_functions() WHERE NOT internal"),
            "types": rows("SELECT schema_name, type_name, labels FROM duckdb_types() "
                          "WHERE NOT internal"),
            "sequences": rows("SELECT schema_name, sequence_name, last_value "
                              "FROM duckdb_sequences()"),
            "constraints": rows("SELECT schema_name, table_name, constraint_type, "
                                "constraint_text FROM duckdb_constraints()"),
            "data": rows("SELECT 'panel', count(*), sum(hash(p)) FROM marts.panel p "
                         "UNION ALL SELECT 'doubled', count(*), sum(hash(d)) FROM marts.doubled d "
                         "UNION ALL SELECT 'labels', count(*), sum(hash(l)) FROM ref.labels l "
                         "UNION ALL SELECT 'years', count(*), sum(hash(y)) "
                         "FROM staging.years(3) y"),
        }


def test_compacted_copy_keeps_every_object(tmp_path) -> None:
    """Schemas, tables, views, the macros views call, enum types, sequences, constraints and
    comments all survive the compaction, with the same data."""
    work, published = tmp_path / "w.duckdb", tmp_path / "dri.duckdb"
    _rebuild(work, n=1000)
    with duckdb.connect(str(work)) as con:
        con.execute("""
            CREATE SCHEMA ref;
            CREATE SCHEMA staging;
            CREATE TYPE ref.level AS ENUM ('province', 'prefecture');
            CREATE SEQUENCE ref.label_id START 10;
            CREATE TABLE ref.labels (id INTEGER PRIMARY KEY DEFAULT nextval('ref.label_id'),
                                     code VARCHAR NOT NULL UNIQUE, level ref.level);
            INSERT INTO ref.labels (code, level) VALUES ('110000', 'province'),
                                                        ('130100', 'prefecture');
            CREATE MACRO staging.years(n) AS TABLE SELECT 2010 + range AS year FROM range(n);
            CREATE VIEW staging.panel_labels AS
                SELECT p.id, l.code, marts.twice(p.value) AS v2, y.year
                FROM marts.panel p JOIN ref.labels l ON p.id = l.id
                CROSS JOIN staging.years(2) y;
            COMMENT ON TABLE marts.panel IS 'the panel';
            COMMENT ON COLUMN marts.panel.value IS 'a value';
            COMMENT ON VIEW marts.doubled IS 'twice the value';
            COMMENT ON MACRO marts.twice IS 'doubles';
        """)
    before = _catalog(work)
    publish(work, published)
    after = _catalog(published)
    for key in before:
        assert after[key] == before[key], key
    assert ("marts", "panel", "value", "DOUBLE", "a value") in after["columns"]
    with duckdb.connect(str(published)) as con:  # the sequence continues where it stood
        con.execute("INSERT INTO ref.labels (code) VALUES ('120000')")
        assert con.execute("SELECT max(id) FROM ref.labels").fetchone()[0] == 12
        # ids 10-12 of the panel, two years each, through the macro and the table macro
        assert con.execute("SELECT count(*) FROM staging.panel_labels").fetchone()[0] == 6
    # The working file was refreshed from the compacted copy: the same catalogue.
    assert _catalog(work) == before
