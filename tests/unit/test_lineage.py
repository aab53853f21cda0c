"""The landing zone and the reference files the ingest reads are assets with data versions."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from orchestration.assets.landing import (
    DATA_VERSION_TAG,
    SEEDS_READ_BY_INGEST,
    landing_asset_key,
    landing_observation,
    observe_kind,
    observe_seed_file,
    raw_deps,
    seed_file_key,
)
from orchestration.ingest import landing

INGEST_DIR = Path(__file__).resolve().parents[2] / "orchestration" / "ingest"


def test_the_seed_files_are_those_the_ingest_code_reads() -> None:
    """A seed CSV the Python ingest starts reading must become a file asset upstream of raw."""
    named = set()
    for path in INGEST_DIR.glob("*.py"):
        named |= set(re.findall(r"\b(ref_\w+)\.csv\b", path.read_text(encoding="utf-8")))
    assert named == set(SEEDS_READ_BY_INGEST)


def test_raw_assets_read_their_landing_folder_and_the_seed_files() -> None:
    assert raw_deps("patents") == [landing_asset_key("patents")]
    yearbook = raw_deps("city_yearbook")
    assert yearbook[0] == landing_asset_key("city_yearbook")
    assert set(yearbook[1:]) == {seed_file_key(s) for s in SEEDS_READ_BY_INGEST}


def _landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    (root / "city_yearbook").mkdir(parents=True)
    (root / "patents").mkdir(parents=True)
    (root / "city_yearbook" / "ccsy_2020.xlsx").write_bytes(b"2020 edition")
    (root / "city_yearbook" / "ccsy_2021.csv").write_bytes(b"2021 edition")
    (root / "patents" / "extract.csv").write_bytes(b"patents")
    return root


def test_a_kind_is_observed_with_its_files_and_a_data_version(tmp_path) -> None:
    root = _landing(tmp_path)
    first = observe_kind("city_yearbook", root)
    assert first.asset_key == landing_asset_key("city_yearbook")
    files = first.metadata["files"].value
    assert [f["file"] for f in files] == [
        "city_yearbook/ccsy_2020.xlsx",
        "city_yearbook/ccsy_2021.csv",
    ]
    assert files[0]["sha256"] == hashlib.sha256(b"2020 edition").hexdigest()
    assert first.metadata["file_count"] == 2

    # Same bytes: same version; the other kind's files do not count.
    (root / "patents" / "extract.csv").write_bytes(b"other patents")
    assert observe_kind("city_yearbook", root).data_version == first.data_version

    (root / "city_yearbook" / "ccsy_2021.csv").write_bytes(b"2021 edition, corrected")
    corrected = observe_kind("city_yearbook", root)
    assert corrected.data_version != first.data_version

    # A sidecar changes what the file means (synthetic or not): a new version.
    (root / "city_yearbook" / "ccsy_2021.csv.meta.yml").write_text("synthetic: true\n")
    flagged = observe_kind("city_yearbook", root)
    assert flagged.data_version != corrected.data_version
    assert flagged.metadata["synthetic_files"] == 1

    (root / "city_yearbook" / "ccsy_2020.xlsx").unlink()
    assert observe_kind("city_yearbook", root).data_version != flagged.data_version


def test_the_observation_a_load_records_equals_the_observation_function(tmp_path) -> None:
    """The raw assets and the sensor record observations from files they already hashed; they
    carry the same data version as observing the folder."""
    root = _landing(tmp_path)
    files = [f for f in landing.discover(root) if f.kind == "city_yearbook"]
    event = landing_observation("city_yearbook", files, root, changed=[files[0].relpath])
    assert event.tags[DATA_VERSION_TAG] == observe_kind("city_yearbook", root).data_version.value
    assert event.metadata["changed_files"].value == ["city_yearbook/ccsy_2020.xlsx"]


def test_a_seed_file_version_is_its_sha256() -> None:
    result = observe_seed_file("ref_indicator_aliases")
    path = INGEST_DIR.parents[1] / "dbt_project" / "seeds" / "ref_indicator_aliases.csv"
    assert result.data_version.value == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.asset_key == seed_file_key("ref_indicator_aliases")


def test_a_refresh_records_the_files_it_was_built_from(tmp_path, monkeypatch):
    """The refresh job observes the landing folder before it loads it, so the raw table is
    fresh after the run and stale as soon as an observation finds other bytes (what the UI
    shows); the observation carries the same data version as the observation function."""
    from dagster import AssetSelection, Definitions, define_asset_job, instance_for_test
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._core.loader import LoadingContextForTest
    from dagster_duckdb import DuckDBResource

    from orchestration.assets.landing import LANDING_ASSETS
    from orchestration.assets.raw import yearbook_long_values
    from orchestration.automation import refresh_jobs

    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path))
    folder = tmp_path / "landing" / "yearbook_long"
    folder.mkdir(parents=True)
    export = folder / "population.csv"
    export.write_text(
        "region,year,indicator,value,unit\n"
        "Beijing,2020,Population at Year-end,2189,10000 persons\n",
        encoding="utf-8",
    )
    key = landing_asset_key("yearbook_long")
    defs = Definitions(
        assets=[*LANDING_ASSETS, yearbook_long_values],
        jobs=[
            refresh_jobs["yearbook_long"],
            define_asset_job("observe", AssetSelection.assets(key)),
        ],
        resources={"duckdb": DuckDBResource(database=str(tmp_path / "work.duckdb"))},
    )
    with instance_for_test() as instance:
        result = defs.resolve_job_def("refresh_yearbook_long").execute_in_process(instance=instance)
        assert result.success
        expected = observe_kind("yearbook_long", tmp_path / "landing").data_version.value
        (observation,) = instance.fetch_observations(key, limit=5).records
        assert observation.asset_observation.tags[DATA_VERSION_TAG] == expected
        (mat,) = result.get_asset_materialization_events()
        tags = mat.step_materialization_data.materialization.tags
        assert tags[f"dagster/input_data_version/{key.to_user_string()}"] == expected

        raw_key = yearbook_long_values.key
        graph = defs.resolve_asset_graph()

        def status() -> StaleStatus:  # what the UI's "stale" badge is computed with
            resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
            return resolver.get_status(raw_key)

        assert status() == StaleStatus.FRESH
        export.write_text(
            export.read_text(encoding="utf-8") + "Tianjin,2020,Population at "
            "Year-end,1387,10000 persons\n",
            encoding="utf-8",
        )
        assert defs.resolve_job_def("observe").execute_in_process(instance=instance).success
        assert status() == StaleStatus.STALE


def test_the_observation_steps_count_as_ingest_in_the_build_summary() -> None:
    from orchestration.assets.landing import FILE_ASSETS
    from orchestration.build import step_group

    for observer in FILE_ASSETS:
        assert step_group(observer.op.name, set(), False) == "ingest", observer.op.name
