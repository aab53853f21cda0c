"""dbt models as Dagster assets: staging -> intermediate -> marts, with dbt tests as checks."""

import contextlib
import json
import os
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb as duckdb_lib
from dagster import (
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MetadataValue,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtProject, dbt_assets

from orchestration import paths
from orchestration.assets.landing import (
    DATA_OWNER,
    SEEDS_READ_BY_INGEST,
    seed_file_key,
    table_name_metadata,
)
from orchestration.assets.raw import DUCKDB_POOL, INCREMENT_TABLE, patent_increment
from orchestration.dbt_project import (
    DBT_PROJECT,
    DriDbtCliResource,
    prepare_manifest,
    project_digest,
)
from orchestration.workers import STUDY_IMPORTS, import_meanwhile

# `dagster dev` (dri ui) parses the project at load time, as DbtProject.prepare_if_dev would,
# with the profile the runs use.
if DBT_PROJECT.preparer.using_dagster_dev():
    prepare_manifest(force=True)


class DriDbtTranslator(DagsterDbtTranslator):
    """Asset keys `<schema>/<model>`, groups by layer folder; sources keep the keys their
    `meta.dagster.asset_key` gives (the raw assets), which connects the lineage."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return [DATA_OWNER]

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> AssetSpec:
        """dagster-dbt's spec, with the relation named as analysts query it and, for a seed
        the Python ingest also reads, its CSV file upstream (the same file feeds raw)."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        spec = spec.merge_attributes(metadata=table_name_metadata(query_name(props)))
        if props["resource_type"] == "seed" and props["name"] in SEEDS_READ_BY_INGEST:
            spec = spec.merge_attributes(deps=[AssetDep(seed_file_key(props["name"]))])
        return spec

    def get_asset_check_spec(self, asset_spec: AssetSpec, manifest: Mapping[str, Any],
                             unique_id: str, project: DbtProject | None
                             ) -> AssetCheckSpec | None:
        """dagster-dbt reads a test's description only from `meta.description`; every test
        gets one here (dbt_test_description), so the UI never says "No description provided"."""
        check = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if check is None:
            return None
        props = self.get_resource_props(manifest, unique_id)
        text = check.description or dbt_test_description(props, ".".join(asset_spec.key.path))
        return check._replace(description=text)


def query_name(props: Mapping[str, Any]) -> str:
    """`schema.table` as analysts write it against the published file (warehouse/dri.duckdb):
    dbt's relation names carry the working file's database (`dri_build.marts.city_panel`),
    which does not exist there."""
    if props["resource_type"] == "source":
        return f"{props['schema']}.{props.get('identifier') or props['name']}"
    return f"{props['schema']}.{props.get('alias') or props['name']}"


_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")
_GENERIC_TESTS = {
    "not_null": "`{column_name}` of {relation} is never NULL.",
    "unique": "No value of `{column_name}` occurs twice in {relation}.",
    "accepted_values": "`{column_name}` of {relation} takes only the values {values}.",
    "relationships": "Every `{column_name}` of {relation} exists as `{field}` in {to}.",
    "between": "`{column_name}` of {relation} lies in [{min_value}, {max_value}] (NULLs pass).",
    "unique_combination": "{relation} has one row per ({combination_of_columns}): its grain.",
    "expression_is_true": "Every row of {relation} satisfies: {expression}.",
}


def _leading_comment(sql: str) -> str:
    """The `--` comment block a singular test's SQL starts with (what the test asserts)."""
    lines = []
    for line in sql.strip().splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        lines.append(stripped.removeprefix("--").strip())
    return " ".join(lines).strip()


def dbt_test_description(props: Mapping[str, Any], relation: str) -> str:
    """What a dbt test asserts, in one sentence: the test's own `description:` (dbt 1.9+) or
    `meta.description`, else for a singular test the comment its SQL starts with, else for a
    generic test a sentence from its arguments. Ends with its severity when it only warns."""
    text = (props.get("description") or "").strip() or (
        (props.get("meta") or {}).get("description") or "").strip()
    metadata = props.get("test_metadata") or {}
    if not text and not metadata:
        text = _leading_comment(props.get("raw_code") or "")
    if not text and metadata:
        kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
        args = {"relation": relation, "column_name": props.get("column_name") or "", **kwargs}
        if "to" in args:
            found = _REF.search(str(args["to"]))
            args["to"] = found.group(1) if found else args["to"]
        if isinstance(args.get("values"), list):
            args["values"] = ", ".join(f"'{v}'" for v in args["values"])
        if isinstance(args.get("combination_of_columns"), list):
            args["combination_of_columns"] = ", ".join(args["combination_of_columns"])
        if isinstance(args.get("expression"), str):
            args["expression"] = " ".join(args["expression"].split())
        template = _GENERIC_TESTS.get(metadata.get("name", ""))
        try:
            text = template.format(**args) if template else ""
        except (KeyError, IndexError):
            text = ""
        if not text:
            shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
            text = f"dbt test `{metadata.get('name')}` on {relation}" + (
                f" ({shown})" if shown else "") + "."
    if not text:
        text = f"dbt test `{props['name']}` on {relation}."
    where = (props.get("config") or {}).get("where")
    if where:
        text += f" Rows checked: where {where}."
    if str((props.get("config") or {}).get("severity", "error")).lower() == "warn":
        text += " Severity warn: a failure is reported as a warning and blocks nothing."
    return text


def dbt_build_args(unit_tests: bool = True, patents_new_from_key: int | None = None
                   ) -> list[str]:
    """Arguments of the one dbt invocation per run (kept a plain function so it is testable).
    No colours: dbt's lines go to a log file (and, with --verbose, wherever stdout goes), and
    dbt colours them whether or not that is a terminal. dbt's own debug log file (some 20 MB
    a run) keeps warnings and errors only: the per-node lines are in the output log.
    `--no-write-json`: no manifest.json (written twice a run, 1-4 s here; the project's own
    target/ has it), run_results.json or graph.gpickle in the run folder; the output log
    has each node's result and seconds.
    `unit_tests=False`: dbt's unit tests, which test the SQL on fixed inputs and not the data,
    are left out (see unit_tests_passed). `patents_new_from_key`: the patents refresh only
    appended the records from this key on, so int_patents_classified recomputes their
    application years only."""
    args = ["build", "--no-use-colors", "--log-level-file", "warn", "--no-write-json"]
    if patents_new_from_key is not None:
        args += ["--vars", json.dumps({"patents_new_from_key": patents_new_from_key})]
    return args if unit_tests else [*args, "--exclude-resource-type", "unit_test"]


def _unit_tests_stamp() -> Path:
    return paths.work_db_path().parent / "dbt_unit_tests.passed"


def unit_tests_passed(digest: str) -> bool:
    """Whether dbt's unit tests passed on exactly the dbt project of this digest
    (dbt_project.project_digest, kept beside the working file after a dbt run that ran them
    all and succeeded). A refresh of the data then skips them: they would test the same SQL
    on the same fixed inputs."""
    stamp = _unit_tests_stamp()
    return stamp.exists() and stamp.read_text(encoding="utf-8") == digest


def _runs_everything(context: AssetExecutionContext) -> bool:
    """A run of a subset (a refresh) runs the unit tests of its models only."""
    return (context.selected_asset_keys == context.assets_def.keys
            and context.selected_asset_check_keys == context.assets_def.check_keys)


def with_row_counts(context: AssetExecutionContext, events: list, database: str) -> Iterator:
    """Attach row counts and a preview to each model output once dbt has released the file
    (dbt-duckdb holds DuckDB's lock while it runs, so counts cannot be read during it)."""
    with duckdb_lib.connect(database, read_only=True) as con:
        for event in events:
            if not isinstance(event, Output):
                yield event
                continue
            schema, name = context.asset_key_for_output(event.output_name).path[-2:]
            relation = f'"{schema}"."{name}"'
            count = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
            preview = con.execute(f"SELECT * FROM {relation} LIMIT 5").df()
            yield event.with_metadata({
                **event.metadata,
                "dagster/row_count": int(count),
                "preview": MetadataValue.md(preview.to_markdown(index=False)),
            })


class _Tee:
    """A text stream writing to several streams."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


PARTIAL_PARSE = "partial_parse.msgpack"
PARSE_ROOT = "dbt_project_dir.txt"


@contextlib.contextmanager
def fresh_run_dir() -> Iterator[Path]:
    """The fixed target folder of this run (paths.dbt_run_dir), emptied: only the last run's
    artifacts are kept. The last run's folder is renamed aside and deleted while dbt runs (its
    1,500 files took 2 s to unlink here, in the way of every run); done when the block ends.
    Per-run folders that dagster-dbt's default left in the project's target/ before
    (`<op>-<run>-<uuid>`, about 36 MB each) are removed once they are ten minutes old (a run
    in another checkout state could still be writing a younger one). The parse state is kept."""
    run_dir = paths.dbt_run_dir()
    last = run_dir.with_name(f"{run_dir.name}.old-{uuid.uuid4().hex[:8]}")
    if run_dir.exists():
        run_dir.rename(last)
    run_dir.mkdir(parents=True, exist_ok=True)
    # The last run's parse state, made with this warehouse's profile and nothing invalidated,
    # goes on to the next run (dagster-dbt copies the project's one only into a folder that
    # has none; that one has its seeds marked as changed, so every run parsed them again).
    # dbt checks it against the project files, profile and vars itself, but not against the
    # project's folder, which its seeds' paths name: it goes on only from the same folder.
    here = str(DBT_PROJECT.project_dir.resolve())
    root = last / PARSE_ROOT
    if (last / PARTIAL_PARSE).exists() and root.exists() and root.read_text("utf-8") == here:
        (last / PARTIAL_PARSE).rename(run_dir / PARTIAL_PARSE)
    (run_dir / PARSE_ROOT).write_text(here, encoding="utf-8")
    old = [*run_dir.parent.glob(f"{run_dir.name}.old-*")]
    legacy = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
    old += [path for path in legacy.glob(f"{dri_dbt_models.op.name}-*-*")
            if path.is_dir() and time.time() - path.stat().st_mtime > 600]
    cleanup = threading.Thread(target=lambda: [shutil.rmtree(path, ignore_errors=True)
                                               for path in old], daemon=True)
    cleanup.start()
    try:
        yield run_dir
    finally:
        cleanup.join()


prepare_manifest()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    dagster_dbt_translator=DriDbtTranslator(),
    pool=DUCKDB_POOL,
)
def dri_dbt_models(context: AssetExecutionContext, dbt: DriDbtCliResource) -> Iterator:
    # A fixed target folder: dagster-dbt copies the parse's partial_parse.msgpack into it
    # (it is empty), so dbt does not parse the project again, and nothing piles up.
    with fresh_run_dir() as run_dir:
        digest = project_digest()
        unit_tests = not unit_tests_passed(digest)
        with duckdb_lib.connect(str(paths.work_db_path())) as con:
            increment = patent_increment(con)
        if increment is not None:
            context.log.info(f"patents: only the records from patent_key {increment} are new; "
                             "int_patents_classified recomputes their application years only")
        if not unit_tests:
            context.log.info("dbt unit tests skipped: they passed on this dbt project's code "
                             "in an earlier run, and only data changed since")
        # The study step next needs STUDY_IMPORTS: imported while this one waits on dbt.
        import_meanwhile(STUDY_IMPORTS)
        # dagster-dbt writes each dbt line to sys.stdout; keep them in a file (the build prints
        # its path) and echo them only when asked.
        with paths.dbt_output_log().open("w", encoding="utf-8") as log:
            echo = os.environ.get(paths.DBT_OUTPUT_ENV, "") != "file"
            with contextlib.redirect_stdout(_Tee(sys.stdout, log) if echo else log):
                invocation = dbt.cli(dbt_build_args(unit_tests, increment), context=context,
                                     target_path=run_dir)
                events = list(invocation.stream())
    if increment is not None:
        with duckdb_lib.connect(str(paths.work_db_path())) as con:
            con.execute(f"DELETE FROM {INCREMENT_TABLE}")
    if unit_tests and invocation.is_successful() and _runs_everything(context):
        _unit_tests_stamp().write_text(digest, encoding="utf-8")
    yield from with_row_counts(context, events, str(paths.work_db_path()))
