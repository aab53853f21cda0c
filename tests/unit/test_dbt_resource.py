"""The dbt CLI resource of the build (orchestration/dbt_project.py DriDbtCliResource): the
version dagster-dbt needs without a `dbt --version` subprocess, and no in-process adapter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from orchestration.dbt_project import DBT_PROJECT, DriDbtCliResource


def test_version_is_what_dbt_version_prints_and_no_adapter_is_opened(monkeypatch) -> None:
    dbt = str(Path(sys.executable).parent / "dbt")
    printed = subprocess.run([dbt, "--version"], capture_output=True, text=True,
                             check=True).stdout
    resource = DriDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt)

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"ran a subprocess: {args}")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_subprocess)
    assert str(resource._cli_version) == re.search(r"installed: (\d+\.\d+\.\d+)", printed)[1]
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_another_dbt_is_asked_for_its_version(monkeypatch, tmp_path) -> None:
    fake = tmp_path / "dbt"
    fake.write_text("#!/bin/sh\necho 'Core:\n  - installed: 9.9.9'\n", encoding="utf-8")
    fake.chmod(0o755)
    resource = DriDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(fake))
    assert str(resource._cli_version) == "9.9.9"
