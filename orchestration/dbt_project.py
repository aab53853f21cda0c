"""The dbt project handle, kept apart from the asset definitions so the CLI can refresh
the manifest (`dbt parse`) before `@dbt_assets` reads it."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration import paths

DBT_PROJECT = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)


def prepare_manifest(force: bool = False) -> None:
    """Write target/manifest.json with `dbt parse`, through dagster-dbt's own preparer."""
    if force or not DBT_PROJECT.manifest_path.exists():
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
