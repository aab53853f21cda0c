"""Raw layer: landing files -> DuckDB schema `raw`, with provenance and quarantine."""


from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from orchestration import paths
from orchestration.ingest import landing, patents, schema, yearbook

DUCKDB_POOL = "dri_duckdb_writer"
Reader = Callable[[landing.LandingFile], tuple[pd.DataFrame, pd.DataFrame]]


def sidecar(file: landing.LandingFile) -> dict:
    """The `.meta.yml` next to a landing file (producer, citation, synthetic flag), if any."""
    path = file.path.with_name(file.path.name + ".meta.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def load_kind(
    con, kind: str, table: str, columns: list[str], reader: Reader, log
) -> tuple[int, int, list[landing.LandingFile]]:
    """Archive and read every landing file of `kind`, replace `raw.<table>`, and replace
    this table's rows in `quality.quarantine` and `raw.landing_files`."""
    files = [f for f in landing.discover(paths.landing_dir()) if f.kind == kind]
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    frames, bad, manifest = [], [], []
    for file in files:
        archived = landing.archive(file, paths.archive_dir())
        values, quarantine = reader(file)
        log.info(f"{file.relpath}: {len(values):,} rows, {len(quarantine):,} quarantined")
        frames.append(values)
        bad.append(quarantine)
        meta = sidecar(file)
        manifest.append({
            "source_file": file.relpath, "kind": kind, "source_sha256": file.sha256,
            "size_bytes": file.size, "archived_path": str(archived),
            "synthetic": bool(meta.get("synthetic", False)),
            "producer": meta.get("producer"), "loaded_at": loaded_at,
        })
    values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    quarantine = (
        pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(columns=schema.QUARANTINE)
    )
    values = values[columns].assign(loaded_at=loaded_at)
    quarantine = quarantine[schema.QUARANTINE].assign(loaded_at=loaded_at)
    manifest_df = pd.DataFrame(manifest, columns=[
        "source_file", "kind", "source_sha256", "size_bytes", "archived_path", "synthetic",
        "producer", "loaded_at",
    ])

    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.register("values_df", values)
    con.execute(f"CREATE OR REPLACE TABLE raw.{table} AS SELECT * FROM values_df")
    con.execute(
        "CREATE TABLE IF NOT EXISTS quality.quarantine ("
        + ", ".join(f"{c} VARCHAR" for c in schema.QUARANTINE)
        + ", loaded_at TIMESTAMP)"
    )
    con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [f"raw.{table}"])
    con.register("quarantine_df", quarantine.astype({c: "string" for c in schema.QUARANTINE}))
    con.execute("INSERT INTO quality.quarantine BY NAME SELECT * FROM quarantine_df")
    con.execute(
        "CREATE TABLE IF NOT EXISTS raw.landing_files (source_file VARCHAR, kind VARCHAR, "
        "source_sha256 VARCHAR, size_bytes BIGINT, archived_path VARCHAR, synthetic BOOLEAN, "
        "producer VARCHAR, loaded_at TIMESTAMP)"
    )
    con.execute("DELETE FROM raw.landing_files WHERE kind = ?", [kind])
    con.register("manifest_df", manifest_df)
    con.execute("INSERT INTO raw.landing_files BY NAME SELECT * FROM manifest_df")
    return len(values), len(quarantine), files


def _result(table: str, rows: int, quarantined: int, files, con) -> MaterializeResult:
    preview = con.execute(f"SELECT * FROM raw.{table} LIMIT 5").df()
    return MaterializeResult(metadata={
        "dagster/row_count": rows,
        "quarantined_rows": quarantined,
        "files": MetadataValue.json([{"file": f.relpath, "sha256": f.sha256} for f in files]),
        "preview": MetadataValue.md(preview.to_markdown(index=False)),
    })


@asset(
    key=["raw", "city_yearbook_values"],
    group_name="raw",
    pool=DUCKDB_POOL,
    description="Every printed cell of the city yearbook workbooks in the landing zone, long "
    "(region x indicator x scope x year), with file, sheet, row, column and sha256. Cells that "
    "cannot be read go to quality.quarantine with the reason.",
)
def city_yearbook_values(
    context: AssetExecutionContext, duckdb: DuckDBResource
) -> MaterializeResult:
    with duckdb.get_connection() as con:
        rows, bad, files = load_kind(
            con, "city_yearbook", "city_yearbook_values", schema.CITY_YEARBOOK_VALUES,
            yearbook.read_city_yearbook, context.log,
        )
        if not files:
            raise ValueError(f"no city yearbook files in {paths.landing_dir() / 'city_yearbook'}")
        return _result("city_yearbook_values", rows, bad, files, con)


@asset(
    key=["raw", "patents"],
    group_name="raw",
    pool=DUCKDB_POOL,
    description="One row per patent record of the patent extracts in the landing zone, columns "
    "mapped from Chinese or English export headers, IPC codes as printed, with provenance.",
)
def patent_records(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        rows, bad, files = load_kind(
            con, "patents", "patents", schema.PATENTS, patents.read_patents, context.log
        )
        if not files:
            raise ValueError(f"no patent extracts in {paths.landing_dir() / 'patents'}")
        return _result("patents", rows, bad, files, con)


def landing_is_empty(landing_root: Path) -> bool:
    return not landing.discover(landing_root)
