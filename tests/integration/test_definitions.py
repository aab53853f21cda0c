"""The Definitions load, and the asset graph connects landing to report (checked on the graph)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.definitions import BUILD_JOB, defs

RAW_YEARBOOK = AssetKey(["raw", "city_yearbook_values"])
RAW_PATENTS = AssetKey(["raw", "patents"])
CITY_PANEL = AssetKey(["marts", "city_panel"])
ESTIMATE = AssetKey(["studies", "paper002_city", "benchmark"])
REPORT = AssetKey(["studies", "paper002_city", "report"])
PUBLISH = AssetKey(["published_warehouse"])


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_job_and_resources_resolve() -> None:
    assert defs.resolve_job_def(BUILD_JOB) is not None
    assert set(defs.resources) >= {"duckdb", "dbt"}


def test_expected_assets_exist(graph) -> None:
    keys = set(graph.get_all_asset_keys())
    assert {RAW_YEARBOOK, RAW_PATENTS, CITY_PANEL, ESTIMATE, REPORT, PUBLISH} <= keys
    assert AssetKey(["staging", "stg_patents__patents"]) in keys
    assert AssetKey(["ref", "ref_ipc_digital_core"]) in keys


def test_dbt_staging_reads_the_raw_assets(graph) -> None:
    stg_patents = graph.get(AssetKey(["staging", "stg_patents__patents"]))
    stg_yearbook = graph.get(AssetKey(["staging", "stg_yearbook__city_yearbook_values"]))
    assert RAW_PATENTS in stg_patents.parent_keys
    assert RAW_YEARBOOK in stg_yearbook.parent_keys


def test_lineage_runs_from_landing_to_publish(graph) -> None:
    ancestors_of_panel = graph.get_ancestor_asset_keys(CITY_PANEL)
    assert {RAW_YEARBOOK, RAW_PATENTS} <= ancestors_of_panel
    assert AssetKey(["marts", "city_panel_balanced"]) in graph.get(ESTIMATE).parent_keys
    assert CITY_PANEL in graph.get_ancestor_asset_keys(ESTIMATE)
    assert ESTIMATE in graph.get(REPORT).parent_keys
    assert {REPORT, ESTIMATE} <= graph.get(PUBLISH).parent_keys
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert len(marts) >= 5 and marts <= graph.get(PUBLISH).parent_keys


def test_every_asset_is_described_and_grouped(graph) -> None:
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_external:
            continue
        assert node.group_name, key
        if key.path[0] in {"raw", "marts", "studies"}:
            assert node.description, key


def test_dbt_tests_are_asset_checks(graph) -> None:
    checks = {c.asset_key for c in graph.asset_check_keys}
    assert CITY_PANEL in checks


# Singular dbt tests that read several models name the one they guard (meta.dagster.ref).
GUARDED = {
    "assert_admin_changes_match_validity_years": ["ref", "ref_admin_changes"],
    "assert_region_aliases_within_region_validity": ["ref", "ref_region_aliases"],
    "assert_coupling_subsystems_share_level": ["ref", "ref_index_coupling"],
    "assert_index_systems_well_formed": ["ref", "ref_index_systems"],
    "assert_entropy_dimension_scores_add_up_to_index": ["marts", "index_entropy_dimension_scores"],
    "assert_pca_eigenvalues_consistent": ["marts", "index_pca_eigenvalues"],
    "assert_city_interpolated_values_lie_between_their_neighbours":
        ["intermediate", "int_city_indicators_interpolated"],
    "assert_province_interpolated_values_lie_between_their_neighbours":
        ["intermediate", "int_province_indicators_interpolated"],
}


def test_every_singular_dbt_test_is_an_asset_check(graph) -> None:
    """Without an asset to attach to, dagster-dbt logs a singular test as an observation
    with a multi-line warning on every run; each is an asset check of the model it guards."""
    tests_dir = Path(__file__).resolve().parents[2] / "dbt_project" / "tests"
    singular = {p.stem for p in tests_dir.rglob("*.sql") if "generic" not in p.parts}
    checks = {c.name: c.asset_key for c in graph.asset_check_keys}
    assert singular <= set(checks), sorted(singular - set(checks))
    for name, key in GUARDED.items():
        assert checks[name] == AssetKey(key), name
