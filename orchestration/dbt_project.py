"""The dbt project handle, kept apart from the asset definitions so the CLI can refresh
the manifest (`dbt parse`) before `@dbt_assets` reads it."""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import version

from dagster_dbt import DbtProject

from orchestration import paths
from orchestration.fingerprint import code_digest

DBT_PROJECT = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)


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
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
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
    digest.update(version("dbt-core").encode())
    return digest.hexdigest()
