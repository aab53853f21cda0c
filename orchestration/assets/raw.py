"""Raw layer: landing files -> DuckDB schema `raw`, with provenance and quarantine."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from orchestration import fingerprint, paths
from orchestration.assets.landing import (
    DATA_OWNER,
    raw_deps,
    table_name_metadata,
)
from orchestration.ingest import intake, ipc, landing, schema
from orchestration.ingest.patent_load import load_patent_files
from orchestration.ingest.reading_cache import ReadingCache

DUCKDB_POOL = "dri_duckdb_writer"

LANDING_FILES_DDL = """
CREATE TABLE IF NOT EXISTS raw.landing_files (
    source_sha256 VARCHAR PRIMARY KEY, source_file VARCHAR, kind VARCHAR, size_bytes BIGINT,
    archived_path VARCHAR, synthetic BOOLEAN, producer VARCHAR, status VARCHAR,
    rows_loaded BIGINT, rows_quarantined BIGINT, rows_superseded BIGINT, cells_skipped BIGINT,
    items_read BIGINT, error VARCHAR, duplicate_copies VARCHAR,
    first_seen_at TIMESTAMP, loaded_at TIMESTAMP
)"""


@dataclass(frozen=True)
class RawSource:
    """How one kind of landing file becomes one raw table."""

    kind: str
    table: str
    columns: list[str]


CITY_YEARBOOK = RawSource("city_yearbook", "city_yearbook_values", schema.CITY_YEARBOOK_VALUES)
YEARBOOK_LONG = RawSource("yearbook_long", "yearbook_long_values", schema.YEARBOOK_LONG_VALUES)
# Patents are read by DuckDB itself (load_patents), not through pandas frames.
PATENTS = RawSource("patents", "patents", schema.PATENTS)
sidecar = landing.sidecar


def _table(name: str) -> dict:
    """The name analysts query in the published file (`raw.<table>`, no database prefix)."""
    return table_name_metadata(f"raw.{name}")


def load_source(con, source: RawSource, log) -> dict:
    """Archive and read every landing file of one kind and replace `raw.<table>`; replace
    this table's quarantine rows; record every file version in `raw.landing_files`.

    A file that cannot be read is moved out of the live landing zone to `landing/failed/`
    with the reason beside it, so it cannot wedge this or any later build; the others load."""
    found = [f for f in landing.discover(paths.landing_dir()) if f.kind == source.kind]
    if not found:
        # An empty table, not a failure: the last file of a kind may have been set aside.
        log.warning(f"no {source.kind} files in {paths.landing_dir() / source.kind}")
    fingerprint.mark_unpublished(con, source.kind)
    files, duplicates = landing.deduplicate(found)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    archived = {f.sha256: landing.archive(f, paths.archive_dir()) for f in files}
    cache = ReadingCache(paths.readings_dir())
    cache.fill(files, source.kind)
    taken = intake.take_in(files, source.kind, [f.relpath for f in landing.newest_first(files)],
                           read=cache.read)
    cache.prune(source.kind)
    log.info(f"{cache.hits} of {len(files)} {source.kind} files unchanged since the last build: "
             "their readings reused")
    for relpath, error in taken.failed.items():
        moved = landing.set_aside(paths.landing_dir(), relpath, error)
        log.warning(f"{relpath}: not readable, moved to {moved}: {error}")
    for report in taken.reports.values():
        for line in report.lines():
            log.info(line)
    values = taken.values[[*source.columns, *schema.NORMALIZED]]
    quarantine = taken.quarantine.assign(loaded_at=loaded_at)

    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.register("values_df", values.assign(loaded_at=loaded_at))
    con.execute(f"CREATE OR REPLACE TABLE raw.{source.table} AS SELECT * FROM values_df")
    con.unregister("values_df")
    _replace_quarantine(con, f"raw.{source.table}", quarantine)
    copies = {f.sha256: [] for f in files}
    for dup in duplicates:
        copies[dup.sha256].append(dup.relpath)
    manifest = []
    for f in files:
        report = taken.reports[f.relpath]
        rows = (report.landed, sum(report.quarantined.values()), report.superseded,
                sum(report.skipped.values()), report.items)
        status = ("failed" if report.error else
                  "superseded" if report.superseded and not report.landed else "current")
        manifest.append(_manifest_row(f, source.kind, archived[f.sha256], loaded_at, status,
                                      rows, copies[f.sha256], report.error))
    if manifest:
        _record_files(con, source.kind, manifest)
    return {"rows": len(values), "quarantined": len(quarantine), "files": files,
            "duplicates": duplicates, "superseded": {k: r.superseded for k, r in
                                                     taken.reports.items()},
            "reports": [r.lines() for r in taken.reports.values()],
            "failed": taken.failed}


# One row, written by the patents asset: the first patent_key of the records a patents
# refresh appended (NULL after a full load). The IPC normalization and the dbt run read it
# to work on the new records (application years) only; the dbt run clears it.
INCREMENT_TABLE = "raw.patent_increment"


def load_patents(con, log, incremental: bool = False) -> dict:
    """load_source for patent extracts: the same archive and file history, but the rows go
    from the files to raw.patents inside DuckDB (patent_load), never through pandas.
    `incremental`: append the new files when only files were added after those loaded (a
    refresh after a new year's extract landed); records the result in INCREMENT_TABLE."""
    found = [f for f in landing.discover(paths.landing_dir()) if f.kind == PATENTS.kind]
    if not found:
        raise landing.IngestError(
            f"no {PATENTS.kind} files in {paths.landing_dir() / PATENTS.kind}")
    fingerprint.mark_unpublished(con, PATENTS.kind)
    files, duplicates = landing.deduplicate(found)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    archived = {f.sha256: landing.archive(f, paths.archive_dir()) for f in files}
    stats = load_patent_files(con, files, loaded_at=loaded_at,
                              compress_text=paths.patents_compress_text(),
                              incremental=incremental)
    key = stats["appended_from_key"]
    log.info(f"appended the records from patent_key {key} (new files only)" if key is not None
             else "loaded every patent extract")
    con.execute(f"CREATE OR REPLACE TABLE {INCREMENT_TABLE} (new_from_key BIGINT)")
    con.execute(f"INSERT INTO {INCREMENT_TABLE} VALUES (?)", [key])
    copies = {f.sha256: [] for f in files}
    for dup in duplicates:
        copies[dup.sha256].append(dup.relpath)
    manifest = []
    for f in files:
        counts = stats["per_file"][f.relpath]
        log.info(f"{f.relpath}: {counts['loaded']:,} rows, {counts['quarantined']:,} "
                 f"quarantined, {counts['superseded']:,} superseded")
        rows = (counts["loaded"], counts["quarantined"], counts["superseded"], 0, None)
        status = "superseded" if rows[2] and not rows[0] else "current"
        manifest.append(_manifest_row(f, PATENTS.kind, archived[f.sha256], loaded_at, status,
                                      rows, copies[f.sha256]))
    _record_files(con, PATENTS.kind, manifest)
    return {"rows": stats["rows"], "quarantined": stats["quarantined"], "files": files,
            "duplicates": duplicates, "superseded": stats["superseded"]}


def patent_increment(con) -> int | None:
    """The first patent_key the last patents load appended (INCREMENT_TABLE), or None."""
    if not schema.table_exists(con, INCREMENT_TABLE):
        return None
    row = con.execute(f"SELECT new_from_key FROM {INCREMENT_TABLE}").fetchone()
    return None if row is None else row[0]


def _manifest_row(file, kind, archived_path, loaded_at, status, rows, copies,
                  error: str | None = None) -> dict:
    meta = sidecar(file) if file.path.exists() else {}
    return {
        "duplicate_copies": "; ".join(copies) or None,
        "source_sha256": file.sha256, "source_file": file.relpath, "kind": kind,
        "size_bytes": file.size, "archived_path": str(archived_path),
        "synthetic": bool(meta.get("synthetic", False)), "producer": meta.get("producer"),
        "status": status, "rows_loaded": rows[0], "rows_quarantined": rows[1],
        "rows_superseded": rows[2], "cells_skipped": rows[3], "items_read": rows[4],
        "error": error, "first_seen_at": loaded_at, "loaded_at": loaded_at,
    }


def _replace_quarantine(con, target_table: str, quarantine: pd.DataFrame) -> None:
    schema.ensure_quarantine(con)
    con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [target_table])
    frame = quarantine.astype({c: "Int64" if t == "BIGINT" else "string"
                               for c, t in schema.QUARANTINE_TYPES.items()})
    con.register("quarantine_df", frame)
    con.execute("INSERT INTO quality.quarantine BY NAME SELECT * FROM quarantine_df")
    con.unregister("quarantine_df")


def _record_files(con, kind: str, manifest: list[dict]) -> None:
    """Upsert this run's files; versions no longer in the landing zone stay, marked
    `replaced_or_removed`, so the history of every file ever loaded is kept."""
    existing = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'landing_files'").fetchall()}
    if existing and existing != set(manifest[0]):
        # A working database from an older version of this code: start its history anew.
        con.execute("DROP TABLE raw.landing_files")
    con.execute(LANDING_FILES_DDL)
    con.execute(
        "UPDATE raw.landing_files SET status = 'replaced_or_removed' WHERE kind = ?", [kind]
    )
    frame = pd.DataFrame(manifest)
    con.register("manifest_df", frame)
    con.execute("""
        INSERT INTO raw.landing_files BY NAME SELECT * FROM manifest_df
        ON CONFLICT (source_sha256) DO UPDATE SET
            source_file = excluded.source_file, status = excluded.status,
            archived_path = excluded.archived_path, synthetic = excluded.synthetic,
            producer = excluded.producer, rows_loaded = excluded.rows_loaded,
            rows_quarantined = excluded.rows_quarantined,
            rows_superseded = excluded.rows_superseded,
            cells_skipped = excluded.cells_skipped, items_read = excluded.items_read,
            error = excluded.error,
            duplicate_copies = excluded.duplicate_copies, loaded_at = excluded.loaded_at
    """)
    con.unregister("manifest_df")


def _result(con, source: RawSource, loaded: dict) -> MaterializeResult:
    preview = con.execute(f"SELECT * FROM raw.{source.table} LIMIT 5").df()
    return MaterializeResult(metadata={
        "dagster/row_count": loaded["rows"],
        "quarantined_rows": loaded["quarantined"],
        "superseded_rows": sum(loaded["superseded"].values()),
        "files": MetadataValue.json([{"file": f.relpath, "sha256": f.sha256}
                                     for f in loaded["files"]]),
        "duplicate_files": MetadataValue.json([f.relpath for f in loaded["duplicates"]]),
        "preview": MetadataValue.md(preview.to_markdown(index=False)),
    })


def _materialize(context: AssetExecutionContext, duckdb: DuckDBResource,
                 source: RawSource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        loaded = load_source(con, source, context.log)
        return _result(con, source, loaded)


@asset(
    key=["raw", "city_yearbook_values"],
    group_name="raw",
    pool=DUCKDB_POOL,
    deps=raw_deps("city_yearbook"),
    kinds={"python", "pandas", "duckdb"},
    owners=[DATA_OWNER],
    metadata=_table("city_yearbook_values"),
    description="Every printed cell of the city yearbook tables in the landing zone, long "
    "(region x indicator x scope x year), with file, sheet, row, column and sha256. Cells that "
    "cannot be read go to quality.quarantine with the reason; a newer file supersedes the "
    "values it reprints.",
)
def city_yearbook_values(
    context: AssetExecutionContext, duckdb: DuckDBResource
) -> MaterializeResult:
    return _materialize(context, duckdb, CITY_YEARBOOK)


@asset(
    key=["raw", "patents"],
    group_name="raw",
    pool=DUCKDB_POOL,
    deps=raw_deps("patents"),
    kinds={"python", "duckdb"},
    owners=[DATA_OWNER],
    metadata=_table("patents"),
    description="One row per patent record of the patent extracts in the landing zone, columns "
    "mapped from Chinese or English export headers, IPC codes as printed, with provenance. A "
    "patent in several extracts is taken from the newest.",
)
def patent_records(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    # Only a patents refresh appends: a full build (code or options changed) reloads all.
    with duckdb.get_connection() as con:
        loaded = load_patents(con, context.log,
                              incremental=context.job_name == "refresh_patents")
        return _result(con, PATENTS, loaded)


@multi_asset(
    specs=[
        AssetSpec(
            ["raw", "ipc_pieces"],
            deps=[AssetKey(["raw", "patents"])],
            group_name="raw",
            kinds={"python", "duckdb"},
            owners=[DATA_OWNER],
            metadata=_table("ipc_pieces"),
            description="The piece dictionary of the patents' IPC fields: each distinct piece "
            "of text (split on ';') and each main IPC once, with the canonical codes it holds, "
            "normalized from every spelling (G06F17/30, G06F0017300000, full width, edition "
            "suffixes, ',' or '；' lists) to 'G06F 17/30'. dbt looks each patent's pieces up "
            "in it (int_patents_classified). Pieces that do not parse go to quality.quarantine "
            "with the application number.",
        ),
        AssetSpec(
            ["raw", "ipc_codes"],
            deps=[AssetKey(["raw", "patents"])],
            group_name="raw",
            kinds={"python", "duckdb"},
            owners=[DATA_OWNER],
            metadata=_table("ipc_codes"),
            description="Each distinct canonical IPC code of the patent extracts with its "
            "section, class, subclass, main group and subgroup, keyed by a number made of "
            "those parts (written with raw.ipc_pieces).",
        ),
    ],
    pool=DUCKDB_POOL,
)
def ipc_pieces(context: AssetExecutionContext, duckdb: DuckDBResource):
    with duckdb.get_connection() as con:
        stats = ipc.normalize_ipc(con, new_from_key=patent_increment(con))
        context.log.info(f"IPC normalization: {stats}")
        preview = con.execute(f"""
            SELECT piece, ipc_code_ids, unparseable FROM {ipc.PIECES_TABLE}
            ORDER BY unparseable IS NULL, piece LIMIT 5""").df()
        codes_preview = con.execute(f"SELECT * FROM {ipc.CODES_TABLE} LIMIT 5").df()
        unparseable = con.execute(
            "SELECT value_text, reason FROM quality.quarantine WHERE target_table = ? "
            "LIMIT 5", [ipc.PIECES_TABLE]).df()
    yield MaterializeResult(asset_key=AssetKey(["raw", "ipc_pieces"]), metadata={
        "dagster/row_count": stats["distinct_pieces"],
        "unparseable_pieces": stats["unparseable_pieces"],
        "quarantined_rows": stats["quarantined"],
        "seconds": stats["seconds"],
        "preview": MetadataValue.md(preview.to_markdown(index=False)),
        "quarantine_preview": MetadataValue.md(unparseable.to_markdown(index=False)),
    })
    yield MaterializeResult(asset_key=AssetKey(["raw", "ipc_codes"]), metadata={
        "dagster/row_count": stats["distinct_codes"],
        "preview": MetadataValue.md(codes_preview.to_markdown(index=False)),
    })


@asset(
    key=["raw", "yearbook_long_values"],
    group_name="raw",
    pool=DUCKDB_POOL,
    deps=raw_deps("yearbook_long"),
    kinds={"python", "pandas", "duckdb"},
    owners=[DATA_OWNER],
    metadata=_table("yearbook_long_values"),
    description="Long yearbook exports (region, year, indicator, value, unit) in the landing "
    "zone - e.g. the real provincial science-and-technology tables bundled with the project - "
    "with region and indicator codes, values in canonical units and provenance; rows that "
    "cannot be matched or converted go to quality.quarantine.",
)
def yearbook_long_values(
    context: AssetExecutionContext, duckdb: DuckDBResource
) -> MaterializeResult:
    return _materialize(context, duckdb, YEARBOOK_LONG)
