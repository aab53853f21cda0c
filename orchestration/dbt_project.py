"""The dbt project handle, kept apart from the asset definitions so the CLI can refresh
the manifest (`dbt parse`) before `@dbt_assets` reads it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import DagsterDbtProjectPreparer
from packaging import version

from orchestration import paths
from orchestration.fingerprint import code_digest

DBT_PROJECT = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)


class DriDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two costs our runs do not need, 5.6 s of every
    dbt step here: before each invocation it runs `dbt --version` in a subprocess (2.1 s)
    to learn the version of the dbt it will run, and opens a dbt adapter in this process
    (3.5 s), which serves only its row-count and column-metadata fetchers (the build counts
    rows itself, `with_row_counts`). The version is the installed dbt-core's when the dbt it
    runs is this environment's own; otherwise it asks the executable as dagster-dbt does."""

    @cached_property
    def _cli_version(self) -> version.Version:
        found = shutil.which(self.dbt_executable)
        if found and Path(found).parent == Path(sys.executable).parent:
            return version.parse(metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class _Preparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (`dbt parse` under its guard against concurrent updates, then
    the seeds dropped from the partial parse) calling dbt through DriDbtCliResource: without
    the `dbt --version` subprocess, 2 s of every parse."""

    def _prepare_manifest(self, project: DbtProject) -> None:
        DriDbtCliResource(project_dir=project).cli(
            ["parse", "--quiet"], target_path=project.target_path).wait()
        self._invalidate_seeds_in_partial_parse(project)


def prepare_manifest(force: bool = False) -> None:
    """Write target/manifest.json with `dbt parse`, through dagster-dbt's own preparer.

    The parse sees the profile the runs will see (paths.dbt_profile_env, read by profiles.yml,
    as `definitions.build_definitions` sets it for the runs): dbt reuses
    a parse (partial parsing, dagster-dbt copies partial_parse.msgpack into the run's target
    folder) only when the connection settings, the path among them, are equal; otherwise
    every run says "Unable to do partial parsing ... profile has changed" and parses again."""
    stamp = DBT_PROJECT.manifest_path.with_name("manifest.inputs")
    inputs = _parse_inputs()
    if (not force and DBT_PROJECT.manifest_path.exists() and stamp.exists()
            and stamp.read_text(encoding="utf-8") == inputs):
        return
    profile_env = paths.dbt_profile_env()
    before = {name: os.environ.get(name) for name in profile_env}
    os.environ.update(profile_env)
    try:
        _Preparer().prepare(DBT_PROJECT)
        stamp.write_text(inputs, encoding="utf-8")
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def project_digest() -> str:
    """sha256 of the dbt project's files (models, tests, macros, seeds, YAML)."""
    return code_digest(paths.PROJECT_ROOT, (paths.DBT_PROJECT_DIR.name,))


def _parse_inputs() -> str:
    """What a parse depends on: the project's files, the profile's settings and dbt's version.
    Equal to the last parse's (the stamp beside the manifest): the manifest is current, and
    the few seconds of `dbt parse` are saved."""
    digest = hashlib.sha256(project_digest().encode())
    digest.update(repr(sorted(paths.dbt_profile_env().items())).encode())
    digest.update(metadata.version("dbt-core").encode())
    return digest.hexdigest()
