"""Stata ``xtreg, fe`` statistics of `fit_panel_ols` (``result.xtreg``): sigma_u,
sigma_e, rho, within / between / overall R², corr(u_i, Xb), the F test that all u_i = 0
and the intercept ``_cons``.

Checked three ways:

1. Against Stata's printed output of ``webuse grunfeld`` / ``xtset company year`` /
   ``xtreg invest mvalue kstock, fe`` (Stata 16 log; the same 10 firms x 20 years as
   plm's Grunfeld shipped in ``models_py.datasets``)::

       R-sq: within = 0.7668  between = 0.8194  overall = 0.8060
       F(2,188) = 309.01      corr(u_i, Xb) = -0.1517
       mvalue .1101238 (.0118567)  kstock .3100653 (.0173545)  _cons -58.74393 (12.45369)
       sigma_u 85.732501  sigma_e 52.767964  rho .72525012
       F test that all u_i=0: F(9, 188) = 49.18

   Stata's grunfeld.dta holds the variables in single precision, so its results differ
   from the double-precision data here in the 7th-8th significant digit (sigma_e
   52.767966 here, 52.767964 in Stata; reghdfe's own comparison shows the same): the
   tolerance is relative 1e-6 for the numbers Stata prints to 7-8 digits and half a unit
   of the last printed digit for the rounded ones (R² to 4 decimals, F to 2).
2. Against linearmodels ``PanelOLS(..., entity_effects=True)`` with a constant:
   ``rsquared_within``, ``const`` and its standard error, ``f_pooled`` and the standard
   deviation of ``estimated_effects`` agree to 1e-8 relative. linearmodels'
   ``rsquared_between`` / ``rsquared_overall`` are 1 - SSR / TSS of the between / pooled
   fitted values (0.8141 / 0.8027 here), not Stata's squared correlations; the test
   rebuilds them from our slopes and _cons to show the difference is the definition.
3. Against hand formulas on an unbalanced panel with year dummies (the LSDV regression
   by statsmodels: its dummy coefficients give u_i, its residual variance sigma_e, the
   nested-model F test the u_i = 0 test), to 1e-8 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels import PanelOLS

from models_py.datasets import load_grunfeld
from models_py.panel import fit_panel_ols

X = ["value", "capital"]


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return load_grunfeld()


def test_grunfeld_matches_stata_xtreg_fe_output(grunfeld: pd.DataFrame) -> None:
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", cov="unadjusted")
    xt = res.xtreg
    assert xt is not None
    # Printed to 7-8 significant digits: relative 1e-6 (single-precision data in Stata).
    assert res.params["value"] == pytest.approx(0.1101238, rel=1e-6)
    assert res.params["capital"] == pytest.approx(0.3100653, rel=1e-6)
    assert res.std_errors["value"] == pytest.approx(0.0118567, rel=1e-5)
    assert res.std_errors["capital"] == pytest.approx(0.0173545, rel=1e-5)
    assert xt.intercept == pytest.approx(-58.74393, rel=1e-6)
    assert xt.intercept_se == pytest.approx(12.45369, rel=1e-6)
    assert res.intercept == pytest.approx(xt.intercept, rel=1e-12)
    assert xt.intercept_t == pytest.approx(-4.72, abs=0.005)
    assert xt.sigma_u == pytest.approx(85.732501, rel=1e-6)
    assert xt.sigma_e == pytest.approx(52.767964, rel=1e-6)
    assert xt.rho == pytest.approx(0.72525012, rel=1e-6)
    # Rounded in Stata's header: half a unit of the last digit.
    assert xt.r2_within == pytest.approx(0.7668, abs=5e-5)
    assert xt.r2_between == pytest.approx(0.8194, abs=5e-5)
    assert xt.r2_overall == pytest.approx(0.8060, abs=5e-5)
    assert xt.corr_u_xb == pytest.approx(-0.1517, abs=5e-5)
    assert res.f_stat == pytest.approx(309.01, abs=0.005)
    assert xt.f_effects == pytest.approx(49.18, abs=0.005)
    assert xt.f_effects_df == (9, 188)
    assert xt.f_effects_pvalue < 1e-4
    # The whole block is printed by the summary.
    text = res.summary()
    for piece in ("entity fixed effects", "conventional", "N:            200",
                  "10 firm", "_cons", "sigma_u = 85.7325", "sigma_e = 52.7680",
                  "rho = 0.7253", "between = 0.8194", "F(9, 188) = 49.18"):
        assert piece in text, piece


def test_grunfeld_agrees_with_linearmodels(grunfeld: pd.DataFrame) -> None:
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", cov="unadjusted")
    xt = res.xtreg
    assert xt is not None
    panel = grunfeld.set_index(["firm", "year"])
    lm = PanelOLS(panel["inv"], panel[X].assign(const=1.0), entity_effects=True).fit()
    assert xt.r2_within == pytest.approx(float(lm.rsquared_within), rel=1e-8)
    assert res.r2_within == pytest.approx(float(lm.rsquared_within), rel=1e-8)
    assert xt.intercept == pytest.approx(float(lm.params["const"]), rel=1e-8)
    assert xt.intercept_se == pytest.approx(float(lm.std_errors["const"]), rel=1e-8)
    assert xt.f_effects == pytest.approx(float(lm.f_pooled.stat), rel=1e-8)
    assert xt.sigma_e == pytest.approx(float(np.sqrt(lm.resid_ss / lm.df_resid)), rel=1e-8)
    effects = lm.estimated_effects.groupby(level=0).first().iloc[:, 0]
    assert xt.sigma_u == pytest.approx(float(effects.std(ddof=1)), rel=1e-8)

    # linearmodels' between / overall R² are 1 - SSR / TSS with the same slopes and
    # constant; Stata's (ours) are squared correlations, which are never smaller.
    b = res.params[X].to_numpy()
    means = grunfeld.groupby("firm")[["inv", *X]].mean()
    fit_b = means[X].to_numpy() @ b + xt.intercept
    ybar = means["inv"].to_numpy()
    r2_b_lm = 1 - np.sum((ybar - fit_b) ** 2) / np.sum((ybar - ybar.mean()) ** 2)
    fit_o = grunfeld[X].to_numpy() @ b + xt.intercept
    y = grunfeld["inv"].to_numpy()
    r2_o_lm = 1 - np.sum((y - fit_o) ** 2) / np.sum((y - y.mean()) ** 2)
    assert float(lm.rsquared_between) == pytest.approx(r2_b_lm, rel=1e-8)
    assert float(lm.rsquared_overall) == pytest.approx(r2_o_lm, rel=1e-8)
    assert xt.r2_between > r2_b_lm and xt.r2_overall > r2_o_lm
    assert xt.r2_between == pytest.approx(np.corrcoef(fit_b, ybar)[0, 1] ** 2, rel=1e-10)
    assert xt.r2_overall == pytest.approx(np.corrcoef(fit_o, y)[0, 1] ** 2, rel=1e-10)


def test_xtreg_stats_do_not_depend_on_the_covariance(grunfeld: pd.DataFrame) -> None:
    """Only _cons's standard error follows ``cov``; with clustering it is the cluster
    sandwich (Stata's xtreg, fe vce(cluster) reports the same constant)."""
    plain = fit_panel_ols(grunfeld, "inv", X, "firm", "year", cov="unadjusted").xtreg
    clustered = fit_panel_ols(grunfeld, "inv", X, "firm", "year").xtreg
    assert plain is not None and clustered is not None
    for name in ("intercept", "sigma_u", "sigma_e", "rho", "r2_within", "r2_between",
                 "r2_overall", "f_effects"):
        assert getattr(clustered, name) == pytest.approx(getattr(plain, name), rel=1e-12)
    assert clustered.intercept_se != pytest.approx(plain.intercept_se, rel=1e-3)


def _unbalanced_two_way(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, t = 30, 8
    a = rng.normal(size=n)
    g = rng.normal(size=t)
    rows = []
    for i in range(n):
        for s in range(t):
            x1 = rng.normal() + 0.5 * a[i]
            x2 = rng.normal()
            y = 1.0 + 0.7 * x1 - 0.4 * x2 + a[i] + g[s] + rng.normal()
            rows.append((f"e{i:02d}", 2000 + s, y, x1, x2))
    df = pd.DataFrame(rows, columns=["id", "year", "y", "x1", "x2"])
    return df.drop(index=rng.choice(len(df), size=35, replace=False)).reset_index(drop=True)


def test_two_way_unbalanced_against_lsdv_by_hand() -> None:
    """``xtreg y x1 x2 i.year, fe`` on an unbalanced panel, rebuilt from the dummy-variable
    regression: year dummies count as regressors (in xb and in k), as in Stata."""
    df = _unbalanced_two_way()
    res = fit_panel_ols(df, "y", ["x1", "x2"], "id", "year", time_effects=True,
                        cov="unadjusted")
    xt = res.xtreg
    assert xt is not None

    years = sorted(df["year"].unique())
    dummies = pd.get_dummies(df["year"], prefix="yr", dtype=float).iloc[:, 1:]
    ent = pd.get_dummies(df["id"], prefix="id", dtype=float)
    regs = pd.concat([df[["x1", "x2"]], dummies], axis=1)
    lsdv = sm.OLS(df["y"], pd.concat([regs, ent], axis=1)).fit()
    pooled = sm.OLS(df["y"], sm.add_constant(regs)).fit()
    b = lsdv.params[regs.columns].to_numpy()
    xb = regs.to_numpy() @ b
    y = df["y"].to_numpy()
    cons = y.mean() - xb.mean()
    u = lsdv.params[ent.columns].to_numpy() - cons
    n_e, nobs, k = ent.shape[1], len(df), regs.shape[1]
    assert k == 2 + len(years) - 1

    assert res.params["x1"] == pytest.approx(lsdv.params["x1"], rel=1e-8)
    assert xt.intercept == pytest.approx(cons, rel=1e-8)
    assert xt.sigma_e == pytest.approx(np.sqrt(lsdv.ssr / (nobs - n_e - k)), rel=1e-8)
    assert xt.sigma_e == pytest.approx(np.sqrt(lsdv.mse_resid), rel=1e-8)
    assert xt.sigma_u == pytest.approx(np.std(u, ddof=1), rel=1e-8)
    assert xt.rho == pytest.approx(xt.sigma_u**2 / (xt.sigma_u**2 + xt.sigma_e**2), rel=1e-12)
    f = ((pooled.ssr - lsdv.ssr) / (n_e - 1)) / (lsdv.ssr / (nobs - n_e - k))
    assert xt.f_effects == pytest.approx(f, rel=1e-8)
    assert xt.f_effects_df == (n_e - 1, nobs - n_e - k)

    frame = df.assign(xb=xb)
    dm = frame[["y", "xb"]] - frame.groupby("id")[["y", "xb"]].transform("mean")
    means = frame.groupby("id")[["y", "xb"]].mean()
    assert xt.r2_within == pytest.approx(dm.corr().iloc[0, 1] ** 2, rel=1e-8)
    assert xt.r2_between == pytest.approx(means.corr().iloc[0, 1] ** 2, rel=1e-8)
    assert xt.r2_overall == pytest.approx(np.corrcoef(xb, y)[0, 1] ** 2, rel=1e-8)
    u_obs = frame["id"].map(dict(zip(ent.columns.str[3:], u, strict=True)))
    assert xt.corr_u_xb == pytest.approx(np.corrcoef(u_obs, xb)[0, 1], rel=1e-8)


def test_pooled_model_has_no_xtreg_block_and_says_what_it_ran(grunfeld: pd.DataFrame) -> None:
    res = fit_panel_ols(grunfeld, "inv", X)
    assert res.xtreg is None
    assert res.cov_type == "robust" and not res.entity_effects
    ols = sm.OLS(grunfeld["inv"], sm.add_constant(grunfeld[X])).fit(cov_type="HC1")
    assert res.params["value"] == pytest.approx(ols.params["value"], rel=1e-10)
    assert res.std_errors["value"] == pytest.approx(ols.bse["value"], rel=1e-10)
    assert res.intercept == pytest.approx(ols.params["const"], rel=1e-10)
    assert res.intercept_se == pytest.approx(ols.bse["const"], rel=1e-10)
    text = str(res)
    assert "pooled OLS" in text and "HC1" in text and "N:            200" in text
