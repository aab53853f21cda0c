"""The landing zone as assets: where the lineage starts.

One observable source asset per kind of landing file (`landing/<kind>`: the folder
`warehouse/landing/<kind>/`), and one per reference CSV that the Python ingest reads besides
dbt (`seed_files/<seed>`: `dbt_project/seeds/<seed>.csv`). Dagster does not write them; an
observation records what is there: the files with their sha256 (the same hashes
`raw.landing_files` keeps) and, as the data version, one checksum of them all, so a raw
asset materialized from other bytes than the last observed ones shows as stale in the UI.

The graph reads file -> raw -> staging -> intermediate -> marts -> study table -> report. A
reference CSV feeds both its dbt seed (ref/<seed>) and the raw yearbook assets, which match
region names, indicator names and units against it; so the seeds the ingest uses are not
islands of the graph.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetKey,
    AssetObservation,
    AssetsDefinition,
    AssetSpec,
    BetaWarning,
    DataVersion,
    MetadataValue,
    ObserveResult,
    multi_observable_source_asset,
)

from orchestration import paths
from orchestration.ingest import landing

# Dagster's tag for an observation's data version (dagster._core.definitions.data_version;
# ObserveResult sets it from `data_version`, an AssetObservation carries it as this tag).
DATA_VERSION_TAG = "dagster/data_version"

DATA_OWNER = "team:data-engineering"
RESEARCH_OWNER = "team:research"

LANDING_GROUP = "landing"
SEED_FILES_GROUP = "reference"

# File formats a kind accepts, as Dagster kinds (icons in the UI).
_FORMAT_KINDS = {".csv": "csv", ".xlsx": "excel", ".xls": "excel", ".parquet": "parquet"}
_KIND_TEXT = {
    "city_yearbook": "City statistical yearbook tables as printed (one workbook or CSV per "
    "edition: merged Chinese headers with units, province heading rows, footnotes)",
    "yearbook_long": "Long yearbook exports (region, year, indicator, value, unit), e.g. the "
    "bundled real provincial science-and-technology tables and NBS portal tables",
    "patents": "Patent extracts (one row per patent, CSV or Parquet parts of any size)",
}

# Reference tables the Python ingest reads from dbt_project/seeds/ itself (ingest/indicators.py,
# ingest/units.py, ingest/regions.py) to match indicator and region names and to convert
# units while it reads the yearbooks. tests/unit/test_lineage.py checks this list against the
# ingest code.
SEEDS_READ_BY_INGEST = (
    "ref_admin_divisions",
    "ref_indicator_aliases",
    "ref_indicators",
    "ref_provinces",
    "ref_region_aliases",
    "ref_units",
)
# The raw assets whose ingest reads them (the patent extracts match no names at ingest).
RAW_KINDS_READING_SEEDS = ("city_yearbook", "yearbook_long")


# Dagster's table-name metadata key (TableMetadataSet.table_name; `dagster/relation_identifier`
# is its former name): the UI shows it as the asset's relation and matches assets by it.
TABLE_NAME_KEY = "dagster/table_name"


def table_name_metadata(name: str) -> dict[str, str]:
    """Metadata naming a table as analysts query it in the published file (`marts.city_panel`),
    not as the build's working database calls it (`dri_build.marts.city_panel`)."""
    return {TABLE_NAME_KEY: name}


def landing_asset_key(kind: str) -> AssetKey:
    return AssetKey(["landing", kind])


def seed_file_key(seed: str) -> AssetKey:
    return AssetKey(["seed_files", seed])


def seed_file_path(seed: str) -> Path:
    return paths.DBT_PROJECT_DIR / "seeds" / f"{seed}.csv"


def raw_deps(kind: str) -> list[AssetKey]:
    """The file assets a raw asset of landing kind `kind` reads."""
    seeds = SEEDS_READ_BY_INGEST if kind in RAW_KINDS_READING_SEEDS else ()
    return [landing_asset_key(kind), *(seed_file_key(s) for s in seeds)]


def data_version(entries: Sequence[Sequence[str]]) -> str:
    """One checksum of a list of (relative path, sha256[, sidecar sha256]) entries: it changes
    when a file is added, removed, renamed or changed, and only then."""
    state = json.dumps(sorted([list(e) for e in entries]), ensure_ascii=False)
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def _sidecar_sha256(file: landing.LandingFile) -> str:
    meta = file.path.with_name(file.path.name + landing.SIDECAR_SUFFIX)
    return landing.sha256_of(meta) if meta.exists() else ""


def _landing_metadata(kind: str, files: Sequence[landing.LandingFile], landing_dir: Path) -> dict:
    synthetic = [
        f.relpath for f in files if f.path.exists() and landing.sidecar(f).get("synthetic")
    ]
    return {
        "file_count": len(files),
        "total_bytes": sum(f.size for f in files),
        "synthetic_files": len(synthetic),
        "folder": MetadataValue.path(str(landing_dir / kind)),
        "files": MetadataValue.json(
            [{"file": f.relpath, "sha256": f.sha256, "size_bytes": f.size} for f in files]
        ),
    }


def kind_version(files: Sequence[landing.LandingFile]) -> str:
    """The data version of a landing kind: one checksum of its files' paths, sha256 (the hashes
    `landing.discover` computed) and sidecars."""
    return data_version([(f.relpath, f.sha256, _sidecar_sha256(f)) for f in files])


def landing_observation(
    kind: str,
    files: Sequence[landing.LandingFile],
    landing_dir: Path | None = None,
    changed: Sequence[str] = (),
) -> AssetObservation:
    """An observation of `landing/<kind>` from files already discovered (and hashed): what the
    raw asset loaded, or what the landing sensor saw; `changed` names the files added,
    changed or removed since the sensor last looked."""
    landing_dir = paths.landing_dir() if landing_dir is None else landing_dir
    metadata = _landing_metadata(kind, files, landing_dir)
    if changed:
        metadata["changed_files"] = MetadataValue.json(list(changed))
    return AssetObservation(
        asset_key=landing_asset_key(kind),
        metadata=metadata,
        tags={DATA_VERSION_TAG: kind_version(files)},
    )


def observe_kind(kind: str, landing_dir: Path | None = None) -> ObserveResult:
    """The files of one landing kind now (the observation function of `landing/<kind>`)."""
    landing_dir = paths.landing_dir() if landing_dir is None else landing_dir
    files = [f for f in landing.discover(landing_dir) if f.kind == kind]
    return ObserveResult(
        asset_key=landing_asset_key(kind),
        data_version=DataVersion(kind_version(files)),
        metadata=_landing_metadata(kind, files, landing_dir),
    )


def observe_seed_file(seed: str) -> ObserveResult:
    path = seed_file_path(seed)
    sha = landing.sha256_of(path)
    return ObserveResult(
        asset_key=seed_file_key(seed),
        data_version=DataVersion(sha),
        metadata={
            "sha256": sha,
            "size_bytes": path.stat().st_size,
            "path": MetadataValue.path(str(path)),
        },
    )


def _landing_spec(kind: str) -> AssetSpec:
    formats = {_FORMAT_KINDS[s] for s in landing.KINDS[kind]}
    return AssetSpec(
        landing_asset_key(kind),
        description=f"{_KIND_TEXT[kind]}: the files in warehouse/landing/{kind}/. An "
        "observation lists each file with its sha256; the data version is one checksum of "
        "them, so the raw table built from other bytes shows as stale. `dri ingest FILE` "
        "puts files here; the landing sensor starts a refresh when they change.",
        group_name=LANDING_GROUP,
        kinds={"file", *formats},
        owners=[DATA_OWNER],
        metadata={
            "folder": f"warehouse/landing/{kind}/",
            "suffixes": ", ".join(sorted(landing.KINDS[kind])),
        },
    )


def _seed_file_spec(seed: str) -> AssetSpec:
    return AssetSpec(
        seed_file_key(seed),
        description=f"The reference table dbt_project/seeds/{seed}.csv as a file: dbt loads it "
        f"as ref.{seed}, and the Python ingest reads it directly while it reads the "
        "yearbooks (names and units are matched at ingest). Data version: its sha256.",
        group_name=SEED_FILES_GROUP,
        kinds={"file", "csv"},
        owners=[DATA_OWNER],
        metadata={"path": f"dbt_project/seeds/{seed}.csv"},
    )


def _observer(name: str, specs: list[AssetSpec], observe) -> AssetsDefinition:
    """An observable source asset per spec (multi_observable_source_asset, the form that takes
    AssetSpecs with kinds and owners; it is beta, which Dagster would say on every load)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)

        @multi_observable_source_asset(name=name, specs=specs)
        def _observe() -> Iterator[ObserveResult]:
            yield from observe()

    return _observe


LANDING_ASSETS: list[AssetsDefinition] = [
    _observer(
        f"observe_landing_{kind}",
        [_landing_spec(kind)],
        lambda kind=kind: iter([observe_kind(kind)]),
    )
    for kind in landing.KINDS
]
seed_files = _observer(
    "observe_seed_files",
    [_seed_file_spec(s) for s in SEEDS_READ_BY_INGEST],
    lambda: (observe_seed_file(s) for s in SEEDS_READ_BY_INGEST),
)
FILE_ASSETS: list[AssetsDefinition] = [*LANDING_ASSETS, seed_files]
