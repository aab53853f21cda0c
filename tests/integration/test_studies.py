"""The shipped studies on the built demo warehouse: their estimates, read back from the
`estimates` schema, recover the true effects of the synthetic provincial world
(orchestration/demo/province.py; truth in warehouse/demo_truth_province.yml).

The tolerances are stated per check: 3 standard errors for slopes, 1 point of the
urbanization rate for the threshold (the grid is the observed values of the variable).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import yaml

from tests.conftest import Warehouse


@pytest.fixture(scope="module")
def truth(built_warehouse: Warehouse) -> dict:
    path = built_warehouse.root / "warehouse" / "demo_truth_province.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def coefficients(warehouse: Warehouse, study: str, table: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        return con.execute(
            "SELECT model_order, term, estimate, std_error, conf_low, conf_high "
            "FROM estimates.coefficients WHERE study = ? AND table_name = ? "
            "ORDER BY model_order, term", [study, table]).df()


def term(frame: pd.DataFrame, name: str, model: int | None = None) -> pd.Series:
    rows = frame[frame["term"] == name]
    if model is not None:
        rows = rows[rows["model_order"] == model]
    assert len(rows) == 1, (name, model, frame)
    return rows.iloc[0]


def test_paper000_fixed_effects_and_region_interaction(built_warehouse, truth) -> None:
    fe = term(coefficients(built_warehouse, "paper000_province", "fe_regression"),
              "enterprise_websites_per_100")
    expected = truth["paper000"]["fe_slope_ei_pseudo_true"]
    assert abs(fe["estimate"] - expected) < 3 * fe["std_error"]

    inter = coefficients(built_warehouse, "paper000_province", "region_interaction")
    params = truth["parameters"]
    for group, key in (("central", "p000_interaction_central_minus_east"),
                       ("west", "p000_interaction_west_minus_east")):
        row = term(inter, f"enterprise_websites_per_100_x_region3_{group}")
        assert abs(row["estimate"] - params[key]) < 3 * row["std_error"], group


def test_paper004_mediation_and_threshold(built_warehouse, truth) -> None:
    params = truth["parameters"]
    med = coefficients(built_warehouse, "paper004_province", "mediation")
    a = term(med, "dei", model=2)
    b = term(med, "coagglomeration", model=3)
    assert abs(a["estimate"] - params["p004_a_dei_on_coagglomeration"]) < 3 * a["std_error"]
    assert abs(b["estimate"] - params["p004_b_coagglomeration_on_y"]) < 3 * b["std_error"]

    thr = coefficients(built_warehouse, "paper004_province", "threshold")
    gamma = term(thr, "threshold_gamma1")
    assert abs(gamma["estimate"] - params["p004_threshold_gamma"]) <= 1.0
    low, high = term(thr, "dei_regime1"), term(thr, "dei_regime2")
    assert abs(low["estimate"] - params["p004_beta_low"]) < 3 * low["std_error"]
    assert abs(high["estimate"] - params["p004_beta_high"]) < 3 * high["std_error"]


def test_real_study_is_not_labelled_synthetic(built_warehouse) -> None:
    html = (built_warehouse.reports / "real_province_st" / "index.html").read_text("utf-8")
    demo = (built_warehouse.reports / "paper004_province" / "index.html").read_text("utf-8")
    assert 'class="banner"' not in html
    assert 'class="banner"' in demo
    # the estimates rows say so per study (the .dta label of `dri export` names them)
    with duckdb.connect(str(built_warehouse.published), read_only=True) as con:
        flags = dict(con.execute("SELECT study, bool_or(synthetic) FROM estimates.models "
                                 "GROUP BY study").fetchall())
    assert flags["real_province_st"] is False and flags["paper004_province"] is True
