"""models_py.heterogeneity: group fits equal subset fits; the interaction Wald test
equals the classical F from restricted and unrestricted dummy regressions; group
slopes equal a direct reparametrization."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from models_py.heterogeneity import by_group, interaction_model
from models_py.panel import fit_panel_ols


def simulate(seed: int = 0, n: int = 45, t: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.repeat(rng.choice(["East", "Central", "West"], n), t)
    slope = pd.Series(group).map({"East": 1.5, "Central": 1.0, "West": 0.8}).to_numpy()
    x = rng.normal(size=n * t)
    w = rng.normal(size=n * t)
    y = (slope * x + 0.3 * w + np.repeat(rng.normal(size=n), t)
         + np.tile(rng.normal(size=t), n) + rng.normal(size=n * t))
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n),
                         "region": group, "x": x, "w": w, "y": y})


def test_by_group_equals_subset_fits() -> None:
    df = simulate()
    res = by_group(df, "region", "y", ["x", "w"], "id", "year", time_effects=True)
    assert list(res) == ["Central", "East", "West"]
    sub = fit_panel_ols(df[df.region == "West"], "y", ["x", "w"], "id", "year", time_effects=True)
    pd.testing.assert_series_equal(res["West"].params, sub.params)


def test_interaction_wald_equals_classical_f() -> None:
    df = simulate(1)
    res = interaction_model(df, "region", "y", "x", ["w"], "id", "year", cov="unadjusted",
                            time_effects=True)
    full = smf.ols("y ~ x:C(region) + w + C(id) + C(year)", df).fit()
    restricted = smf.ols("y ~ x + w + C(id) + C(year)", df).fit()
    f, p, q = full.compare_f_test(restricted)
    test = res.tests[0]
    assert test.statistic == pytest.approx(f, rel=1e-8)
    assert test.p_value == pytest.approx(p, rel=1e-6)
    assert test.df == f"2, {int(full.df_resid)}"
    # Group slopes: the full-interaction parametrization estimates them directly.
    slopes = res.slopes_frame().set_index("group")
    for g in ["Central", "East", "West"]:
        name = f"x:C(region)[{g}]"
        assert slopes.loc[g, "slope"] == pytest.approx(full.params[name], rel=1e-8)
        assert slopes.loc[g, "std_error"] == pytest.approx(full.bse[name], rel=1e-8)


def test_detects_different_slopes_and_not_equal_ones() -> None:
    res = interaction_model(simulate(2), "region", "y", "x", ["w"], "id", "year", time_effects=True)
    assert res.tests[0].p_value < 0.01
    flat = simulate(3)
    flat["y"] = flat.x + 0.3 * flat.w + np.random.default_rng(3).normal(size=len(flat))
    res0 = interaction_model(flat, "region", "y", "x", ["w"], "id", "year", base="East",
                             time_effects=True)
    assert res0.tests[0].p_value > 0.01
    assert "x_x_region_West" in res0.model.params.index


def test_chow_version_interacts_controls() -> None:
    df = simulate(4)
    res = interaction_model(df, "region", "y", "x", ["w"], "id", "year",
                            interact_controls=True, cov="unadjusted", time_effects=True)
    full = smf.ols("y ~ x:C(region) + w:C(region) + C(id) + C(year)", df).fit()
    restricted = smf.ols("y ~ x + w + C(id) + C(year)", df).fit()
    f, _, _ = full.compare_f_test(restricted)
    assert res.tests[1].statistic == pytest.approx(f, rel=1e-8)
