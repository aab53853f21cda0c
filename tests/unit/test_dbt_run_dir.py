"""The dbt step's target folder (orchestration/assets/dbt.py fresh_run_dir): only the last
run's artifacts are kept, and its parse state goes on to the next run of the same project."""

from __future__ import annotations

from orchestration import paths
from orchestration.assets.dbt import PARSE_ROOT, PARTIAL_PARSE, fresh_run_dir


def test_last_run_is_cleared_but_its_parse_state_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_DUCKDB_PATH", str(tmp_path / "work" / "dri_build.duckdb"))
    with fresh_run_dir() as run_dir:
        assert run_dir == paths.dbt_run_dir() and not (run_dir / PARTIAL_PARSE).exists()
        (run_dir / PARTIAL_PARSE).write_bytes(b"parse of run 1")
        (run_dir / "compiled").mkdir()
        (run_dir / "compiled" / "model.sql").write_text("select 1", encoding="utf-8")
    with fresh_run_dir() as run_dir:
        assert (run_dir / PARTIAL_PARSE).read_bytes() == b"parse of run 1"
        assert not (run_dir / "compiled").exists()
    # the renamed folder of the last run is gone once the block ends
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["dbt_run"]


def test_parse_state_of_another_project_folder_is_not_carried(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_DUCKDB_PATH", str(tmp_path / "work" / "dri_build.duckdb"))
    with fresh_run_dir() as run_dir:
        (run_dir / PARTIAL_PARSE).write_bytes(b"parse made elsewhere")
        (run_dir / PARSE_ROOT).write_text("/somewhere/else/dbt_project", encoding="utf-8")
    with fresh_run_dir() as run_dir:
        assert not (run_dir / PARTIAL_PARSE).exists()
