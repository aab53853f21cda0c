"""The Definitions load, and the asset graph connects landing to report (checked on the graph)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetCheckEvaluation, AssetCheckSeverity, AssetKey
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from orchestration import paths
from orchestration.assets.dbt import DriDbtTranslator, dbt_test_description
from orchestration.assets.landing import SEEDS_READ_BY_INGEST, landing_asset_key
from orchestration.cli import ui_command
from orchestration.dbt_project import DBT_PROJECT
from orchestration.definitions import BUILD_JOB, CODE_LOCATION, defs
from orchestration.ingest.landing import KINDS

ROOT = Path(__file__).resolve().parents[2]

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
    "assert_index_systems_well_formed": ["intermediate", "int_index_system_values"],
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
    tests_dir = ROOT / "dbt_project" / "tests"
    singular = {p.stem for p in tests_dir.rglob("*.sql") if "generic" not in p.parts}
    checks = {c.name: c.asset_key for c in graph.asset_check_keys}
    assert singular <= set(checks), sorted(singular - set(checks))
    for name, key in GUARDED.items():
        assert checks[name] == AssetKey(key), name


def _components(graph) -> list[set[AssetKey]]:
    """The weakly connected components of the asset graph (edges: asset dependencies)."""
    neighbours: dict[AssetKey, set[AssetKey]] = {k: set() for k in graph.get_all_asset_keys()}
    for key in neighbours:
        for parent in graph.get(key).parent_keys:
            neighbours[key].add(parent)
            neighbours.setdefault(parent, set()).add(key)
    seen: set[AssetKey] = set()
    components = []
    for start in neighbours:
        if start in seen:
            continue
        component, stack = set(), [start]
        while stack:
            key = stack.pop()
            if key not in component:
                component.add(key)
                stack += neighbours[key] - component
        seen |= component
        components.append(component)
    return components


def test_the_asset_graph_is_one_component(graph) -> None:
    components = _components(graph)
    small = [sorted(k.to_user_string() for k in c) for c in components if len(c) < 10]
    assert len(components) == 1, small


def test_every_raw_asset_has_a_landing_asset_upstream(graph) -> None:
    landing = {landing_asset_key(kind) for kind in KINDS}
    for key in landing:
        node = graph.get(key)
        assert node.is_observable and not node.is_materializable, key
    raw = [k for k in graph.get_all_asset_keys() if k.path[0] == "raw"]
    assert len(raw) == 5
    for key in raw:
        assert graph.get_ancestor_asset_keys(key) & landing, key
    # The reference CSVs the ingest reads feed both their dbt seed and the raw yearbooks.
    for seed in SEEDS_READ_BY_INGEST:
        file_key = AssetKey(["seed_files", seed])
        assert file_key in graph.get(AssetKey(["ref", seed])).parent_keys
        assert file_key in graph.get(RAW_YEARBOOK).parent_keys
    # file -> raw -> staging -> intermediate -> marts -> study table -> report -> publish
    assert landing_asset_key("city_yearbook") in graph.get_ancestor_asset_keys(PUBLISH)
    assert landing_asset_key("patents") in graph.get_ancestor_asset_keys(REPORT)


def test_every_asset_has_kinds_owners_and_a_description(graph) -> None:
    missing = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        for what, value in (("kinds", node.kinds), ("owners", node.owners),
                            ("description", node.description)):
            if not value:
                missing.append(f"{key.to_user_string()}: {what}")
    assert not missing, missing
    assert {"python", "pandas", "duckdb"} <= graph.get(RAW_YEARBOOK).kinds
    assert "matplotlib" in graph.get(ESTIMATE).kinds
    assert "dbt" in graph.get(CITY_PANEL).kinds


def test_every_check_has_a_description(graph) -> None:
    specs = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    assert len(specs) > 500  # dbt tests and GX suites
    assert not [key for key, spec in specs.items() if not (spec.description or "").strip()]
    by_name = {(k.asset_key, k.name): s.description for k, s in specs.items()}
    assert by_name[(AssetKey(["marts", "dri_index"]), "not_null_dri_index_city_code")] == (
        "`city_code` of marts.dri_index is never NULL.")
    singular = by_name[(AssetKey(["marts", "city_panel_balanced"]),
                        "assert_city_panel_balanced_is_balanced")]
    assert singular.startswith("marts.city_panel_balanced is balanced")


def test_a_warning_test_says_so_in_its_description() -> None:
    props = {"name": "t", "resource_type": "test", "column_name": "patent_type_code",
             "test_metadata": {"name": "not_null",
                               "kwargs": {"column_name": "patent_type_code"}},
             "config": {"severity": "warn", "where": "year > 2010"}}
    text = dbt_test_description(props, "staging.stg_patents__patents")
    assert text == ("`patent_type_code` of staging.stg_patents__patents is never NULL. Rows "
                    "checked: where year > 2010. Severity warn: a failure is reported as a "
                    "warning and blocks nothing.")


def test_a_failed_warn_dbt_test_is_a_warning_not_an_error() -> None:
    """What the UI shows comes from the evaluation's severity: a dbt test with severity warn
    that finds rows is a failed check of severity WARN (yellow), and not blocking."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    (unique_id,) = [uid for uid, node in manifest["nodes"].items()
                    if node["name"] == "assert_province_indicators_all_in_panel"]
    events = []
    for status in ("warn", "fail", "pass"):
        message = DbtCoreCliEventMessage(raw_event={
            "info": {"name": "LogTestResult", "invocation_id": "test", "msg": "", "level": "info"},
            "data": {"node_info": {"unique_id": unique_id, "node_status": status},
                     "status": status, "num_failures": 0 if status == "pass" else 2},
        }, event_history_metadata={})
        (event,) = message.to_default_asset_events(manifest, DriDbtTranslator())
        assert isinstance(event, AssetCheckEvaluation)
        events.append(event)
    warned, failed, passed = events
    assert not warned.passed and warned.severity == AssetCheckSeverity.WARN
    assert not failed.passed and failed.severity == AssetCheckSeverity.ERROR
    assert passed.passed
    graph = defs.resolve_asset_graph()
    spec = graph.get_check_spec(warned.asset_check_key)
    assert not spec.blocking and "Severity warn" in spec.description


def test_relation_names_are_the_names_analysts_query(graph, tmp_path) -> None:
    """`dagster/table_name` is `schema.table`, which resolves in the published file (its
    database is called `dri`, the working file's `dri_build` does not exist there)."""
    names = {}
    for key in graph.get_all_asset_keys():
        name = graph.get(key).metadata.get("dagster/table_name")
        if name is not None:
            names[key] = str(name)
    dbt_and_raw = [k for k in graph.get_all_asset_keys()
                   if k.path[0] in {"raw", "staging", "intermediate", "marts", "ref"}]
    assert set(dbt_and_raw) <= set(names)
    for key in dbt_and_raw:
        assert names[key] == ".".join(key.path), key
    assert names[CITY_PANEL] == "marts.city_panel"
    published = tmp_path / paths.published_db_path().name
    with duckdb.connect(str(published)) as con:
        for name in names.values():
            schema, table = name.split(".")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{table} (x INTEGER)")
        for name in names.values():
            con.execute(f"SELECT count(*) FROM {name}").fetchone()
        with pytest.raises(duckdb.CatalogException):
            con.execute(f"SELECT count(*) FROM {paths.work_db_path().stem}.marts.city_panel")


def test_the_code_location_is_named_as_pyproject_says() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["dagster"]["code_location_name"] == CODE_LOCATION == "dri"
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    (entry,) = workspace["load_from"]
    assert entry["python_module"]["location_name"] == CODE_LOCATION
    assert entry["python_module"]["module_name"] == pyproject["tool"]["dagster"]["module_name"]
    command = ui_command(3000)
    assert command[command.index("-w") + 1] == str(ROOT / "workspace.yaml")


def test_jobs_observe_the_files_before_they_load_them() -> None:
    """build_all observes every landing folder and seed file, a refresh its own folder: the
    raw tables then record the data version of the files they were built from."""
    build = defs.resolve_job_def(BUILD_JOB).graph.node_dict
    assert {f"observe_landing_{kind}" for kind in KINDS} | {"observe_seed_files"} <= set(build)
    for kind in KINDS:
        steps = set(defs.resolve_job_def(f"refresh_{kind}").graph.node_dict)
        assert {n for n in steps if n.startswith("observe_")} == {f"observe_landing_{kind}"}
