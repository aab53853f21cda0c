"""models_py.random_effects against Baltagi (2013) / plm on Grunfeld and against the
Swamy-Arora GLS rebuilt from its formula with numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models_py.datasets import load_grunfeld
from models_py.random_effects import fit_random_effects

X = ["value", "capital"]


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return load_grunfeld()


def swamy_arora_by_hand(df: pd.DataFrame, y: str, xs: list[str], ent: str) -> dict:
    """Swamy-Arora GLS on a balanced panel, from Baltagi (2013) sec. 2.3."""
    yv = df[y].to_numpy(float)
    xv = df[xs].to_numpy(float)
    g = df[ent].to_numpy()
    n_ent = len(np.unique(g))
    nobs, k = xv.shape
    t = nobs // n_ent
    ym = pd.Series(yv).groupby(g).transform("mean").to_numpy()
    xm = pd.DataFrame(xv).groupby(g).transform("mean").to_numpy()
    # within
    bw, *_ = np.linalg.lstsq(xv - xm, yv - ym, rcond=None)
    s2e = np.sum((yv - ym - (xv - xm) @ bw) ** 2) / (nobs - n_ent - k)
    # between (one row per entity)
    yb = pd.Series(yv).groupby(g).mean().to_numpy()
    xb = np.column_stack([np.ones(n_ent), pd.DataFrame(xv).groupby(g).mean().to_numpy()])
    bb, *_ = np.linalg.lstsq(xb, yb, rcond=None)
    s2u = max(0.0, np.sum((yb - xb @ bb) ** 2) / (n_ent - k - 1) - s2e / t)
    theta = 1 - np.sqrt(s2e / (t * s2u + s2e))
    ys = yv - theta * ym
    xs_ = np.column_stack([np.full(nobs, 1 - theta), xv - theta * xm])
    b, *_ = np.linalg.lstsq(xs_, ys, rcond=None)
    e = ys - xs_ @ b
    xtx_inv = np.linalg.inv(xs_.T @ xs_)
    # plm / Stata: sigma^2 of the GLS regression = its residual variance (N - K - 1).
    v = xtx_inv * (e @ e) / (nobs - k - 1)
    scores = pd.DataFrame(xs_ * e[:, None]).groupby(g).sum().to_numpy()
    v_cl = n_ent / (n_ent - 1) * xtx_inv @ scores.T @ scores @ xtx_inv
    return {"b": b, "v": v, "v_cl": v_cl, "theta": theta, "s2u": s2u, "s2e": s2e}


def test_grunfeld_matches_baltagi_table_2_1(grunfeld: pd.DataFrame) -> None:
    res = fit_random_effects(grunfeld, "inv", X, "firm", "year", cov="unadjusted")
    # Published values (SOURCE.txt: Baltagi 2013 Table 2.1 / plm), quoted to 7-8
    # significant digits, so the tolerance is the rounding of the quote.
    expected = {"const": (-57.834415, 28.898935), "value": (0.1097812, 0.0104927),
                "capital": (0.3081130, 0.0171805)}
    for term, (b, se) in expected.items():
        assert res.params[term] == pytest.approx(b, rel=5e-7)
        assert res.std_errors[term] == pytest.approx(se, rel=5e-6)
    assert res.theta == pytest.approx(0.861224, rel=1e-6)
    assert res.sigma2_u == pytest.approx(7089.800, rel=1e-6)
    assert res.sigma2_e == pytest.approx(2784.458, rel=1e-6)


def test_matches_formula_and_uses_normal_inference(grunfeld: pd.DataFrame) -> None:
    ref = swamy_arora_by_hand(grunfeld, "inv", X, "firm")
    res = fit_random_effects(grunfeld, "inv", X, "firm", "year", cov="unadjusted")
    np.testing.assert_allclose(res.params.to_numpy(), ref["b"], rtol=1e-9)
    np.testing.assert_allclose(res.cov.to_numpy(), ref["v"], rtol=1e-8)
    z = res.params / res.std_errors
    np.testing.assert_allclose(res.pvalues, 2 * stats.norm.sf(np.abs(z)), rtol=1e-12)
    half = res.conf_high - res.params
    np.testing.assert_allclose(half, 1.959963984540054 * res.std_errors, rtol=1e-12)
    b = res.params[X].to_numpy()
    w = b @ np.linalg.solve(ref["v"][1:, 1:], b)
    assert res.wald_chi2 == pytest.approx(w, rel=1e-8)


def test_clustered_covariance_is_the_sandwich_times_g_over_g_minus_1(
    grunfeld: pd.DataFrame,
) -> None:
    ref = swamy_arora_by_hand(grunfeld, "inv", X, "firm")
    res = fit_random_effects(grunfeld, "inv", X, "firm", "year", cov="clustered_entity")
    np.testing.assert_allclose(res.cov.to_numpy(), ref["v_cl"], rtol=1e-8)


def test_r2_as_stata_defines_them(grunfeld: pd.DataFrame) -> None:
    res = fit_random_effects(grunfeld, "inv", X, "firm", "year", cov="unadjusted")
    xb = grunfeld[X].to_numpy() @ res.params[X].to_numpy()
    df = grunfeld.assign(xb=xb)
    means = df.groupby("firm")[["inv", "xb"]].mean()
    assert res.r2_between == pytest.approx(means.corr().iloc[0, 1] ** 2, rel=1e-10)
    assert res.r2_overall == pytest.approx(np.corrcoef(df.inv, df.xb)[0, 1] ** 2, rel=1e-10)
    dem = df[["inv", "xb"]] - df.groupby("firm")[["inv", "xb"]].transform("mean")
    assert res.r2_within == pytest.approx(dem.corr().iloc[0, 1] ** 2, rel=1e-10)
    # The GLS R²: 1 - SSR / TSS of the quasi-demeaned regression.
    ref = swamy_arora_by_hand(grunfeld, "inv", X, "firm")
    ym = grunfeld.groupby("firm")["inv"].transform("mean").to_numpy()
    ys = grunfeld["inv"].to_numpy() - ref["theta"] * ym
    xm = grunfeld.groupby("firm")[X].transform("mean").to_numpy()
    xs = np.column_stack([np.full(200, 1 - ref["theta"]), grunfeld[X].to_numpy()
                          - ref["theta"] * xm])
    e = ys - xs @ ref["b"]
    assert res.r2_gls == pytest.approx(1 - e @ e / np.sum((ys - ys.mean()) ** 2), rel=1e-9)
    stats_names = set(res.stats_frame()["statistic"])
    assert {"r2_between", "wald_chi2", "theta", "rho"} <= stats_names


def test_wage_panel_matches_formula() -> None:
    # linearmodels' shipped wage_panel (545 men x 8 years, balanced): a second real
    # panel with several regressors and a binary one.
    from linearmodels.datasets import wage_panel

    df = wage_panel.load()
    xs = ["exper", "expersq", "married", "union", "hours"]
    res = fit_random_effects(df, "lwage", xs, "nr", "year", cov="unadjusted")
    ref = swamy_arora_by_hand(df, "lwage", xs, "nr")
    np.testing.assert_allclose(res.params.to_numpy(), ref["b"], rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov.to_numpy())),
                               np.sqrt(np.diag(ref["v"])), rtol=1e-8)
    assert res.theta == pytest.approx(ref["theta"], rel=1e-10)
