"""The study step (orchestration/assets/studies.py): one Dagster step per study estimates
its tables, keeps the estimates of a table whose inputs did not change, and goes on with
the other tables when one fails (the step then fails naming it, and the report waits)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dagster import DagsterInstance, materialize
from dagster_duckdb import DuckDBResource

from models_py.studies.spec import load_spec
from orchestration.assets import studies

SPEC = {
    "title": "Toy study",
    "panel": "marts.toy_panel",
    "entity": "region_code",
    "time": "year",
    "synthetic_expected": False,
    "model": {"dependent": "y", "core": "x", "controls": [], "fixed_effects": ["entity"],
              "cov": "clustered_entity"},
    "tables": {
        "descriptive": {"type": "descriptive", "title": "Descriptive statistics"},
        "fe_regression": {"type": "regression", "title": "Fixed effects"},
    },
}


def _panel(con, slope: float) -> None:
    rng = np.random.default_rng(0)
    rows = [(f"r{i:02d}", year, x, slope * x + rng.normal(0, 0.1))
            for i in range(20) for year in range(2010, 2020) for x in [rng.normal()]]
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.toy_panel (region_code VARCHAR, year INTEGER, "
                "x DOUBLE, y DOUBLE)")
    con.executemany("INSERT INTO marts.toy_panel VALUES (?, ?, ?, ?)", rows)


@pytest.fixture
def study(tmp_path, monkeypatch):
    monkeypatch.setenv("DRI_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    path = tmp_path / "toy.yml"
    path.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    (asset,) = studies.build_study_assets([load_spec(path)])
    db = tmp_path / "toy.duckdb"
    with duckdb.connect(str(db)) as con:
        _panel(con, slope=0.5)
    return asset, db


def _run(asset, db, instance) -> tuple[bool, dict[str, object]]:
    result = materialize([asset], instance=instance, raise_on_error=False,
                         resources={"duckdb": DuckDBResource(database=str(db))})
    done = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        flag = mat.metadata.get("reestimated")
        done[mat.asset_key.path[-1]] = None if flag is None else flag.value
    return result.success, done


def test_one_step_estimates_skips_unchanged_and_isolates_a_failure(study, monkeypatch):
    asset, db = study
    assert asset.op.name == "studies__toy"  # one step for the study's tables and report
    assert {key.path[-1] for key in asset.keys} == {"descriptive", "fe_regression", "report"}
    with DagsterInstance.ephemeral() as instance:
        ok, done = _run(asset, db, instance)
        assert ok and done == {"descriptive": True, "fe_regression": True, "report": None}
        with duckdb.connect(str(db), read_only=True) as con:
            slope = con.execute("SELECT estimate FROM estimates.coefficients "
                                "WHERE table_name = 'fe_regression' AND term = 'x'"
                                ).fetchone()[0]
        assert slope == pytest.approx(0.5, abs=0.05)

        ok, done = _run(asset, db, instance)  # nothing changed: nothing re-estimated
        assert ok and done == {"descriptive": False, "fe_regression": False, "report": None}

        # A corrected landing file behind an unchanged panel: the outputs print the same
        # note (one file, none synthetic), so nothing is re-estimated; a file that turns
        # synthetic changes the note, and every table is estimated again.
        def files(sha: str, synthetic: bool):
            return lambda con, spec, kinds: pd.DataFrame({
                "source_file": ["yearbook/t.csv"], "kind": ["yearbook_long"],
                "source_sha256": [sha], "synthetic": [synthetic]})

        real_provenance = studies.study_provenance
        monkeypatch.setattr(studies, "study_provenance", files("a" * 64, False))
        _run(asset, db, instance)
        monkeypatch.setattr(studies, "study_provenance", files("b" * 64, False))
        ok, corrected = _run(asset, db, instance)
        assert ok and corrected == {"descriptive": False, "fe_regression": False,
                                    "report": None}
        monkeypatch.setattr(studies, "study_provenance", files("b" * 64, True))
        ok, synthetic = _run(asset, db, instance)
        assert ok and synthetic == {"descriptive": True, "fe_regression": True, "report": None}
        monkeypatch.setattr(studies, "study_provenance", real_provenance)

        with duckdb.connect(str(db)) as con:  # new data, and the descriptive table breaks
            _panel(con, slope=0.8)
        from models_py.studies import runner  # the study step imports run_table when it runs

        real_run_table = runner.run_table

        def broken(spec, name, panel, boundaries):
            if name == "descriptive":
                raise RuntimeError("descriptive table broke")
            return real_run_table(spec, name, panel, boundaries)

        monkeypatch.setattr(runner, "run_table", broken)
        ok, done = _run(asset, db, instance)
        assert not ok
        assert done == {"fe_regression": True}  # estimated anyway; no report
    with duckdb.connect(str(db), read_only=True) as con:
        slope = con.execute("SELECT estimate FROM estimates.coefficients "
                            "WHERE table_name = 'fe_regression' AND term = 'x'").fetchone()[0]
        kept = con.execute("SELECT count(*) FROM estimates.table_inputs "
                           "WHERE table_name = 'descriptive'").fetchone()[0]
    assert slope == pytest.approx(0.8, abs=0.05)
    assert kept == 1  # the failed table keeps its last estimates' fingerprint
