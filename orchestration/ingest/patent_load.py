"""Load patent extracts into raw.patents and quality.quarantine, set-based in DuckDB.

Every extract is read by one query (`patents.extract_sql`) into a staging table; the rows of
a patent found in several extracts are taken from the newest file (the precedence of
`landing.newest_first`, as `versions.keep_latest` does for the other kinds), and the rows
that cannot be read go to quality.quarantine with the reason. No row passes through Python,
so a 50-million-row national extract costs DuckDB time and DuckDB memory only.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest import landing, schema
from orchestration.ingest.landing import IngestError, LandingFile
from orchestration.ingest.patents import (
    TARGET_TABLE,
    checked_mapping,
    extract_sql,
    open_extract,
    quote_literal,
)

_STAGE = "_patent_extract"


def as_landing_file(file: LandingFile | Path) -> LandingFile:
    """A landing file for a bare path (benchmarks, ad-hoc loads): relpath patents/<name>."""
    if isinstance(file, LandingFile):
        return file
    path = Path(file).resolve()
    return LandingFile(path=path, relpath=f"patents/{path.name}", kind="patents",
                       sha256=landing.sha256_of(path), size=path.stat().st_size)


def load_patent_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[LandingFile | Path],
    precedence: Sequence[str] | None = None,
    loaded_at: datetime | None = None,
) -> dict:
    """Replace raw.patents with the records of `files` and the quarantine rows of
    raw.patents with their unreadable records.

    `precedence` lists the files' relative paths, the one whose records win first (default:
    `landing.newest_first`). raw.patents gets the columns `schema.PATENTS`, a BIGINT
    `patent_key` (unique within this build) and `loaded_at`. Returns counts: rows,
    quarantined, superseded, and per file loaded / quarantined / superseded rows, and the
    seconds taken."""
    started = time.perf_counter()
    landing_files = [as_landing_file(f) for f in files]
    if not landing_files:
        raise IngestError("no patent extracts to load")
    if precedence is None:
        precedence = [f.relpath for f in landing.newest_first(landing_files)]
    rank = {relpath: i for i, relpath in enumerate(precedence)}
    missing = sorted({f.relpath for f in landing_files} - rank.keys())
    if missing:
        raise ValueError(f"files without a precedence: {missing}")
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)

    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    for file in landing_files:
        try:
            with open_extract(file, con) as source:
                sql = extract_sql(file, source, checked_mapping(file, source))
                verb = (f"CREATE TEMP TABLE {_STAGE} AS" if file is landing_files[0]
                        else f"INSERT INTO {_STAGE}")
                con.execute(f"{verb} SELECT *, {rank[file.relpath]} AS _file_rank FROM ({sql})")
        except duckdb.Error as exc:
            raise IngestError(f"{file.relpath}: cannot read patent extract "
                              f"({type(exc).__name__}: {str(exc).strip().splitlines()[0]})"
                              ) from exc

    columns = ", ".join(schema.PATENTS)
    if len({f.relpath for f in landing_files}) == 1:
        kept = f"SELECT * FROM {_STAGE} WHERE _status = 'ok'"
    else:
        # The newest file that has a patent supplies all of its records; within one file
        # a repeated application number is kept (the raw_patents suite reports it).
        kept = f"""
            WITH ok AS (SELECT * FROM {_STAGE} WHERE _status = 'ok'),
            best AS (
                SELECT application_number, min(_file_rank) AS _best_rank
                FROM ok GROUP BY application_number
            )
            SELECT ok.* FROM ok
            JOIN best ON ok.application_number = best.application_number
                     AND ok._file_rank = best._best_rank"""
    con.execute(f"""
        CREATE OR REPLACE TABLE raw.patents AS
        SELECT {columns},
               CAST(row_number() OVER () AS BIGINT) AS {schema.PATENT_KEY},
               {quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP AS loaded_at
        FROM ({kept})""")

    con.execute(schema.QUARANTINE_DDL)
    con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [TARGET_TABLE])
    con.execute(f"""
        INSERT INTO quality.quarantine BY NAME
        SELECT source_file, source_sha256, sheet,
               CAST(source_row AS VARCHAR) AS source_row,
               CAST(source_col AS VARCHAR) AS source_col,
               {quote_literal(TARGET_TABLE)} AS target_table,
               _excerpt AS value_text, _reason AS reason,
               {quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP AS loaded_at
        FROM {_STAGE} WHERE _status = 'bad'""")

    per_file = {relpath: {"loaded": 0, "quarantined": 0, "superseded": 0}
                for relpath in (f.relpath for f in landing_files)}
    for relpath, ok, bad in con.execute(f"""
            SELECT source_file, count(*) FILTER (_status = 'ok'),
                   count(*) FILTER (_status = 'bad')
            FROM {_STAGE} GROUP BY ALL""").fetchall():
        per_file[relpath]["quarantined"] = int(bad)
        per_file[relpath]["superseded"] = int(ok)  # minus the kept rows, below
    for relpath, kept_rows in con.execute(
            "SELECT source_file, count(*) FROM raw.patents GROUP BY ALL").fetchall():
        per_file[relpath]["loaded"] = int(kept_rows)
        per_file[relpath]["superseded"] -= int(kept_rows)
    con.execute(f"DROP TABLE {_STAGE}")
    return {
        "rows": sum(f["loaded"] for f in per_file.values()),
        "quarantined": sum(f["quarantined"] for f in per_file.values()),
        "superseded": {k: f["superseded"] for k, f in per_file.items() if f["superseded"]},
        "per_file": per_file,
        "seconds": round(time.perf_counter() - started, 3),
    }
