"""models_py.specification: F, Breusch-Pagan LM, Hausman and heteroskedasticity tests
against published Grunfeld results, linearmodels, hand computations and small
simulations of size and power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from models_py.datasets import load_grunfeld
from models_py.panel import fit_panel_ols
from models_py.specification import (
    breusch_pagan_lm,
    f_test_effects,
    hausman_test,
    heteroskedasticity_tests,
    modified_wald,
)

X = ["value", "capital"]


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return load_grunfeld()


def panel(seed: int, n: int = 40, t: int = 6, sigma_u: float = 0.0,
          het: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u = sigma_u * rng.normal(size=(n, 1))
    x = rng.normal(size=(n, t))
    scale = np.exp(rng.normal(size=(n, 1))) if het else np.ones((n, 1))
    y = 1.0 + 0.5 * x + u + scale * rng.normal(size=(n, t))
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel(), "x": x.ravel()})


def test_f_test_matches_published_and_linearmodels(grunfeld: pd.DataFrame) -> None:
    res = f_test_effects(grunfeld, "inv", X, "firm", "year")
    # SAS 9.4 (quoted in plm tests/test_pFtest.R): F 49.18 on (9, 188).
    assert res.test.statistic == pytest.approx(49.18, abs=0.005)
    assert res.test.df == "9, 188"
    assert res.ssr_fixed == pytest.approx(523478.15, abs=0.01)  # SOURCE.txt
    data = grunfeld.set_index(["firm", "year"])
    lm = PanelOLS(data.inv, data[X].assign(const=1.0), entity_effects=True).fit()
    assert res.test.statistic == pytest.approx(lm.f_pooled.stat, rel=1e-9)
    assert res.test.p_value == pytest.approx(lm.f_pooled.pval, rel=1e-6, abs=1e-300)


def test_f_test_with_year_effects_matches_dummy_regressions(grunfeld: pd.DataFrame) -> None:
    import statsmodels.formula.api as smf

    res = f_test_effects(grunfeld, "inv", X, "firm", "year", time_effects=True)
    full = smf.ols("inv ~ value + capital + C(firm) + C(year)", grunfeld).fit()
    restricted = smf.ols("inv ~ value + capital + C(year)", grunfeld).fit()
    f, p, df_diff = full.compare_f_test(restricted)
    assert res.test.statistic == pytest.approx(f, rel=1e-9)
    assert res.test.df == f"{int(df_diff)}, {int(full.df_resid)}"


def test_breusch_pagan_lm_grunfeld_and_formula(grunfeld: pd.DataFrame) -> None:
    two_sided, one_sided = breusch_pagan_lm(grunfeld, "inv", X, "firm", "year")
    # plm's plmtest(inv ~ value + capital, Grunfeld, type = "bp"): chisq = 798.16.
    assert two_sided.statistic == pytest.approx(798.16, abs=0.005)
    assert one_sided.p_value == pytest.approx(two_sided.p_value / 2, rel=1e-12)
    # Balanced form NT / (2 (T - 1)) [sum (sum e)^2 / sum e^2 - 1]^2 from OLS residuals.
    import statsmodels.api as sm

    e = sm.OLS(grunfeld.inv, sm.add_constant(grunfeld[X])).fit().resid
    ratio = e.groupby(grunfeld.firm).sum().pow(2).sum() / (e**2).sum()
    assert two_sided.statistic == pytest.approx(200 / (2 * 19) * (ratio - 1) ** 2, rel=1e-10)


def test_breusch_pagan_lm_size_and_power() -> None:
    reject_null = np.mean([breusch_pagan_lm(panel(s), "y", ["x"], "id", "t")[0].p_value < 0.05
                           for s in range(200)])
    reject_alt = np.mean([breusch_pagan_lm(panel(s, sigma_u=0.7), "y", ["x"], "id", "t")[0]
                          .p_value < 0.05 for s in range(50)])
    # 200 draws: the 95 % band around 0.05 is about [0.02, 0.08].
    assert 0.015 <= reject_null <= 0.09
    assert reject_alt >= 0.9


def test_hausman_matches_baltagi(grunfeld: pd.DataFrame) -> None:
    res = hausman_test(grunfeld, "inv", X, "firm", "year")
    # Baltagi (2013) sec. 4.3.1 / plm phtest: 2.33 (SOURCE.txt: 2.3304, p = 0.3119).
    assert res.test.statistic == pytest.approx(2.3304, abs=5e-5)
    assert res.test.p_value == pytest.approx(0.3119, abs=5e-5)
    assert res.test.df == "2"
    comp = res.comparison_frame().set_index("term")
    fe = fit_panel_ols(grunfeld, "inv", X, "firm", "year", time_effects=False,
                       cov="unadjusted")
    # plm's within vcov (x 10^-3): 0.14058 and 0.3011788 on the diagonal.
    assert fe.cov.loc["value", "value"] == pytest.approx(0.14058e-3, rel=5e-5)
    assert fe.cov.loc["capital", "capital"] == pytest.approx(0.3011788e-3, rel=5e-7)
    for term in X:
        d = comp.loc[term, "fixed"] - comp.loc[term, "random"]
        assert comp.loc[term, "diff"] == pytest.approx(d)
        from scipy import stats

        p = stats.chi2.sf(d**2 / comp.loc[term, "var_diff"], 1)
        assert comp.loc[term, "p_value"] == pytest.approx(p, rel=1e-10)


def test_hausman_rejects_when_effects_correlate_with_x() -> None:
    rng = np.random.default_rng(5)
    n, t = 80, 6
    u = rng.normal(size=(n, 1))
    x = rng.normal(size=(n, t)) + u
    y = 0.5 * x + u + rng.normal(size=(n, t))
    df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                       "y": y.ravel(), "x": x.ravel()})
    assert hausman_test(df, "y", ["x"], "id", "t").test.p_value < 0.01


def test_modified_wald_hand_case() -> None:
    # Entity 0: e = (1, -1, 2, -2) -> s2 = 2.5, V = sum((e^2 - 2.5)^2) / (4 * 3) = 9/12
    # Entity 1: e = (0.5, -0.5, 1, -1) -> s2 = 0.625, V = 0.5625 / 12
    e = np.array([1, -1, 2, -2, 0.5, -0.5, 1, -1.0])
    g = np.repeat([0, 1], 4)
    s2 = np.mean(e**2)
    w = (2.5 - s2) ** 2 / (9 / 12) + (0.625 - s2) ** 2 / (0.5625 / 12)
    res = modified_wald(e, g)
    assert res.statistic == pytest.approx(w, rel=1e-12)
    assert res.df == "2"


def test_heteroskedasticity_tests_size_power_and_bp_by_hand() -> None:
    tests = heteroskedasticity_tests(panel(1, het=True), "y", ["x"], "id", "t")
    names = [t.test for t in tests]
    assert names[-1].startswith("Modified Wald")
    assert tests[-1].p_value < 1e-6  # entity-specific variances
    # Under the null its size is far above nominal for small T and approaches it as T
    # grows (the docstring quotes these rates).
    def null_rate(t: int, reps: int) -> float:
        rej = []
        for s in range(reps):
            rng = np.random.default_rng(s)
            e = rng.normal(size=(20, t))
            e -= e.mean(axis=1, keepdims=True)
            rej.append(modified_wald(e.ravel(), np.repeat(np.arange(20), t)).p_value < 0.05)
        return float(np.mean(rej))

    assert null_rate(10, 60) > 0.6
    assert null_rate(300, 100) <= 0.15
    # Koenker's LM is N R^2 of e^2 on [1, x], with e the within residuals.
    df = panel(3, het=True)
    dm = df[["y", "x"]] - df.groupby("id")[["y", "x"]].transform("mean")
    b = (dm.x @ dm.y) / (dm.x @ dm.x)
    e2 = (dm.y - b * dm.x) ** 2
    xx = np.column_stack([np.ones(len(df)), df.x])
    fit = xx @ np.linalg.lstsq(xx, e2, rcond=None)[0]
    r2 = 1 - np.sum((e2 - fit) ** 2) / np.sum((e2 - e2.mean()) ** 2)
    bp = heteroskedasticity_tests(df, "y", ["x"], "id", "t")[0]
    assert bp.statistic == pytest.approx(len(df) * r2, rel=1e-9)


def test_hausman_is_undefined_without_a_positive_direction() -> None:
    # V_FE - V_RE negative definite (FE more precise than RE): no chi2 exists, so the
    # statistic and its p-value are NaN rather than a negative number on "0" df.
    from dataclasses import replace

    from models_py.random_effects import fit_random_effects
    from models_py.specification import hausman

    rng = np.random.default_rng(3)
    n, t = 40, 5
    x = rng.normal(size=(n, t))
    y = 0.5 * x + rng.normal(size=(n, 1)) + rng.normal(size=(n, t))
    df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                       "y": y.ravel(), "x": x.ravel()})
    fe = fit_panel_ols(df, "y", ["x"], "id", "t", entity_effects=True, cov="unadjusted")
    re = fit_random_effects(df, "y", ["x"], "id", "t", cov="unadjusted")
    fe_precise = replace(fe, cov=re.cov.loc[["x"], ["x"]] * 0.5)
    res = hausman(fe_precise, re)
    assert np.isnan(res.test.statistic) and np.isnan(res.test.p_value)
    assert res.test.df == "0"
