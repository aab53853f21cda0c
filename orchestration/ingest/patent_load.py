"""Load patent extracts into raw.patents and quality.quarantine, set-based in DuckDB.

All extracts are read by one query: the Parquet files with the same columns through one
`read_parquet` over their list, each CSV through its own scan (`patents.open_extracts`),
mapped by `patents.extract_sql` and unioned. raw.patents is written straight from that
query (no staging table: at 50M rows an in-memory stage spilled tens of GB); the bad rows
go to quality.quarantine by a second read, filtered at the scan on the two columns that
make a row bad. A patent found in several extracts is taken from the newest file (the
precedence of `landing.newest_first`, as `versions.keep_latest` does for the other kinds):
the records of older files are deleted afterwards, found by an integer GROUP BY on the
hash of the application number and checked exactly on those few candidates. No row passes
through Python, so a 50-million-row national extract costs DuckDB time and memory only.

`patent_key` = file index << 32 | 0-based record number in the file, the files indexed in
relative-path order: unique, and the same in every build of the same files.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest import landing, schema
from orchestration.ingest.landing import IngestError, LandingFile
from orchestration.ingest.patents import (
    TARGET_TABLE,
    ExtractSource,
    checked_mapping,
    extract_sql,
    open_extracts,
    quote_literal,
    unordered,
)

_BEST = "_patent_superseded"


def as_landing_file(file: LandingFile | Path) -> LandingFile:
    """A landing file for a bare path (benchmarks, ad-hoc loads): relpath patents/<name>."""
    if isinstance(file, LandingFile):
        return file
    path = Path(file).resolve()
    return LandingFile(path=path, relpath=f"patents/{path.name}", kind="patents",
                       sha256=landing.sha256_of(path), size=path.stat().st_size)


@contextmanager
def _text_uncompressed(con: duckdb.DuckDBPyConnection, compress_text: bool) -> Iterator[None]:
    if compress_text:
        yield
        return
    before = con.execute(
        "SELECT current_setting('disabled_compression_methods')").fetchone()[0] or ""
    methods = sorted({*filter(None, before.split(",")), "fsst", "dict_fsst"})
    con.execute(f"SET disabled_compression_methods = {quote_literal(','.join(methods))}")
    try:
        yield
        # Row groups of a large insert are written during it; the rest (a small table,
        # the tail of a large one) at the next checkpoint, which must see the setting.
        # (in an open transaction it fails: those rows get compressed later, no harm)
        with suppress(duckdb.Error):
            con.execute("CHECKPOINT")
    finally:
        con.execute(f"SET disabled_compression_methods = {quote_literal(before)}")


def load_patent_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[LandingFile | Path],
    precedence: Sequence[str] | None = None,
    loaded_at: datetime | None = None,
    compress_text: bool = False,
    incremental: bool = False,
) -> dict:
    """Replace raw.patents with the records of `files` and the quarantine rows of
    raw.patents with their unreadable records.

    `incremental=True`: when raw.patents holds exactly the first files of `files` (same
    relative paths, same sha256, in relative-path order: e.g. one extract per application
    year, a new year added), only the new files are read and appended, with the keys and
    precedence a full load would give them, so the table equals a full load's (but for
    `loaded_at`). Otherwise a full load. `stats["appended_from_key"]` is the first
    patent_key of the appended rows: they are all that changed (None after a full load, or
    when a new file superseded records of a file loaded before).

    `precedence` lists the files' relative paths, the one whose records win first (default:
    `landing.newest_first`). raw.patents gets the columns `schema.PATENTS`, a BIGINT
    `patent_key` (unique within this build) and `loaded_at`. Returns counts: rows,
    quarantined, superseded, and per file loaded / quarantined / superseded rows, and the
    seconds taken.

    `compress_text=False` stores the text columns of raw.patents uncompressed: DuckDB's
    string compression (DICT_FSST) made writing 5M patents take 14 s instead of 4.5 s and
    every later scan of the IPC field 2-4x slower, for a file ~4x smaller (0.29 vs 1.1
    GB per 5M patents)."""
    started = time.perf_counter()
    landing_files = sorted({f.relpath: f for f in map(as_landing_file, files)}.values(),
                           key=lambda f: f.relpath)
    if not landing_files:
        raise IngestError("no patent extracts to load")
    if precedence is None:
        precedence = [f.relpath for f in landing.newest_first(landing_files)]
    rank = {relpath: i for i, relpath in enumerate(precedence)}
    missing = sorted({f.relpath for f in landing_files} - rank.keys())
    if missing:
        raise ValueError(f"files without a precedence: {missing}")
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    stamp = f"{quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP"
    index = {f.relpath: i for i, f in enumerate(landing_files)}

    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    kept = _loaded_prefix(con, landing_files) if incremental else 0
    with open_extracts(landing_files[kept:], con) as sources, unordered(con), \
            _text_uncompressed(con, compress_text):
        # each scan's _file (index within the scan) -> the file's index among all files
        extracts = [(source, checked_mapping(source.files[0], source),
                     [index[f.relpath] for f in source.files]) for source in sources]
        try:
            stats = _write(con, extracts, landing_files,
                           [rank[f.relpath] for f in landing_files], stamp, append=kept > 0)
        except duckdb.Error as exc:
            names = ", ".join(f.relpath for f in landing_files[:3])
            raise IngestError(f"{names}{' ...' if len(landing_files) > 3 else ''}: cannot "
                              f"read patent extract ({type(exc).__name__}: "
                              f"{str(exc).strip().splitlines()[0]})") from exc
    # the records from this key on are the only change, unless a new file superseded
    # records of a file loaded before (then everything downstream is recomputed)
    old_superseded = any(stats["per_file"][f.relpath]["superseded"]
                         for f in landing_files[:kept])
    stats["appended_from_key"] = kept << 32 if kept and not old_superseded else None
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return stats


def _loaded_prefix(con: duckdb.DuckDBPyConnection, landing_files: list[LandingFile]) -> int:
    """How many of `landing_files` (in relative-path order) raw.patents already holds as a
    full load would have left them, with nothing else: 0 when it holds anything different
    (a file changed, removed or inserted before a loaded one), or when no file is new."""
    if not schema.table_exists(con, TARGET_TABLE):
        return 0
    # one row per file index (patent_key >> 32), its provenance read from its first row only:
    # a literal list of keys, so that the scan skips the row groups without one
    firsts = [k for (k,) in con.execute(f"SELECT min({schema.PATENT_KEY}) FROM raw.patents "
                                         f"GROUP BY {schema.PATENT_KEY} >> 32").fetchall()]
    if not firsts:
        return 0
    loaded = con.execute(f"""
        SELECT {schema.PATENT_KEY} >> 32, source_file, source_sha256 FROM raw.patents
        WHERE {schema.PATENT_KEY} IN ({", ".join(map(str, firsts))})
        ORDER BY 1""").fetchall()
    expected = [(i, f.relpath, f.sha256) for i, f in enumerate(landing_files[:len(loaded)])]
    if not loaded or len(loaded) >= len(landing_files) or loaded != expected:
        return 0
    return len(loaded)


def _pick(values: list[int], position: str) -> str:
    """SQL: values[position] for a 0-based position column (a constant when all equal)."""
    if len(set(values)) == 1:
        return str(values[0])
    return f"[{', '.join(map(str, values))}][{position} + 1]"


def _write(con: duckdb.DuckDBPyConnection, extracts: list[tuple[ExtractSource, str]],
           landing_files: list[LandingFile], ranks: list[int], stamp: str,
           append: bool = False) -> dict:
    def union(rows: str) -> str:
        return " UNION ALL ".join(
            f"SELECT * EXCLUDE (_file), CAST({_pick(keys, '_file')} AS BIGINT) AS _file "
            f"FROM ({extract_sql(source, mapping, rows)})"
            for source, mapping, keys in extracts)

    con.execute(f"""
        {"INSERT INTO raw.patents" if append else "CREATE OR REPLACE TABLE raw.patents AS"}
        SELECT {", ".join(schema.PATENTS)},
               _file << 32 | (source_row - 2) AS {schema.PATENT_KEY},
               {stamp} AS loaded_at
        FROM ({union("ok")})""")
    per_file = {f.relpath: {"loaded": 0, "quarantined": 0, "superseded": 0}
                for f in landing_files}
    if len(landing_files) > 1:
        first_new = min(min(keys) for _, _, keys in extracts) << 32 if append else None
        for key, rows in _drop_superseded(con, ranks, first_new):
            per_file[landing_files[key].relpath]["superseded"] = int(rows)

    schema.ensure_quarantine(con)
    if not append:
        con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [TARGET_TABLE])
    con.execute(f"""
        INSERT INTO quality.quarantine BY NAME
        SELECT source_file, source_sha256, sheet,
               CAST(source_row AS BIGINT) AS source_row,
               CAST(source_col AS BIGINT) AS source_col,
               {quote_literal(TARGET_TABLE)} AS target_table,
               _excerpt AS value_text, _reason AS reason,
               {stamp} AS loaded_at
        FROM ({union("not_ok")}) WHERE _status = 'bad'""")

    for key, rows in con.execute(f"""
            SELECT {schema.PATENT_KEY} >> 32, count(*) FROM raw.patents
            GROUP BY ALL""").fetchall():
        per_file[landing_files[key].relpath]["loaded"] = int(rows)
    for relpath, rows in con.execute(
            "SELECT source_file, count(*) FROM quality.quarantine WHERE target_table = ? "
            "GROUP BY ALL", [TARGET_TABLE]).fetchall():
        per_file[relpath]["quarantined"] = int(rows)
    return {
        "rows": sum(f["loaded"] for f in per_file.values()),
        "quarantined": sum(f["quarantined"] for f in per_file.values()),
        "superseded": {k: f["superseded"] for k, f in per_file.items() if f["superseded"]},
        "per_file": per_file,
    }


def _drop_superseded(con: duckdb.DuckDBPyConnection, ranks: list[int],
                     first_new: int | None = None) -> list[tuple]:
    """Delete from raw.patents the records of a patent that a file of higher precedence
    also has; returns (file index, rows deleted). The newest file that has a patent
    supplies all of its records; within one file a repeated application number is kept
    (the raw_patents suite reports it). Candidates are found on the hash of the number
    (an integer GROUP BY over the table; after an append, from `first_new` on, over the new
    records only), then checked on the number itself."""
    rank = f"[{', '.join(map(str, ranks))}][({schema.PATENT_KEY} >> 32) + 1]"
    key = schema.PATENT_KEY
    if first_new is None:
        candidates = f"""
            SELECT hash(application_number) AS h FROM raw.patents
            GROUP BY h HAVING min({rank}) < max({rank})"""
    else:
        # after an append only a number of a new record can be in two files: the new
        # records' numbers that an old record or another new file also has (no GROUP BY
        # over every record)
        candidates = f"""
            WITH fresh AS (
                SELECT hash(application_number) AS h, min({key} >> 32) AS lo,
                       max({key} >> 32) AS hi
                FROM raw.patents WHERE {key} >= {int(first_new)} GROUP BY h
            )
            SELECT h FROM fresh WHERE lo < hi
            UNION
            SELECT DISTINCT hash(application_number) FROM raw.patents
            WHERE {key} < {int(first_new)}
              AND hash(application_number) IN (SELECT h FROM fresh)"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_BEST} AS
        WITH candidates AS ({candidates}
        )
        SELECT {schema.PATENT_KEY} FROM (
            SELECT {schema.PATENT_KEY}, {rank} AS _rank,
                   min({rank}) OVER (PARTITION BY application_number) AS _best
            FROM raw.patents WHERE hash(application_number) IN (SELECT h FROM candidates)
        ) WHERE _rank > _best""")
    dropped = con.execute(f"SELECT {schema.PATENT_KEY} >> 32, count(*) FROM {_BEST} "
                          "GROUP BY ALL").fetchall()
    if dropped:
        con.execute(f"DELETE FROM raw.patents WHERE {schema.PATENT_KEY} IN "
                    f"(SELECT {schema.PATENT_KEY} FROM {_BEST})")
    con.execute(f"DROP TABLE {_BEST}")
    return dropped
