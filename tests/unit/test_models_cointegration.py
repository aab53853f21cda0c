"""models_py.cointegration.kao_test: each piece recomputed with statsmodels, the
statistic formulas by hand, and size / power by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.sandwich_covariance import S_hac_simple

from models_py.cointegration import _long_run_cov, kao_test


def make_panel(seed: int, n: int, t: int, cointegrated: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t)).cumsum(axis=1)
    if cointegrated:
        y = 2.0 * x + rng.normal(size=(n, 1)) + rng.normal(size=(n, t))
    else:
        y = rng.normal(size=(n, t)).cumsum(axis=1)
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel(), "x": x.ravel()})


def test_pooled_adf_t_and_variances_recomputed() -> None:
    df = make_panel(1, 6, 25, cointegrated=False)
    res = kao_test(df, "y", ["x"], "id", "t", lags=1, bandwidth=3)
    # LSDV residuals, then the pooled ADF regression with statsmodels.
    dm = df[["y", "x"]] - df.groupby("id")[["y", "x"]].transform("mean")
    beta = (dm.x @ dm.y) / (dm.x @ dm.x)
    e = (dm.y - beta * dm.x).to_numpy().reshape(6, 25)
    lhs = e[:, 2:].ravel()
    rhs = np.column_stack([e[:, 1:-1].ravel(), np.diff(e, axis=1)[:, :-1].ravel()])
    fit = sm.OLS(lhs, rhs).fit()
    assert res.t_adf == pytest.approx((fit.params[0] - 1) / fit.bse[0], rel=1e-10)
    fit0 = sm.OLS(e[:, 1:].ravel(), e[:, :-1].ravel()).fit()
    assert res.rho == pytest.approx(fit0.params[0], rel=1e-10)
    # Long-run covariance: statsmodels' Bartlett HAC (an unnormalized sum over t),
    # pooled over entities and divided by all observations.
    w = np.diff(np.stack([df.y.to_numpy().reshape(6, 25), df.x.to_numpy().reshape(6, 25)],
                         axis=2), axis=1)
    w = w - w.mean(axis=1, keepdims=True)
    omega = sum(S_hac_simple(wi, nlags=3) for wi in w) / (6 * 24)
    sigma, omega_ours = _long_run_cov(list(w), 3)
    np.testing.assert_allclose(omega_ours, omega, rtol=1e-10)
    cond = omega[0, 0] - omega[0, 1] ** 2 / omega[1, 1]
    assert res.sigma2_0v == pytest.approx(cond, rel=1e-10)


def test_statistic_formulas() -> None:
    df = make_panel(2, 10, 30, cointegrated=False)
    res = kao_test(df, "y", ["x"], "id", "t", lags=2)
    s2v, s20v, n = res.sigma2_v, res.sigma2_0v, 10
    adf = (res.t_adf + np.sqrt(6 * n) * np.sqrt(s2v) / (2 * np.sqrt(s20v))) / np.sqrt(
        s20v / (2 * s2v) + 3 * s2v / (10 * s20v))
    first = res.tests[0]
    assert first.test == "Kao ADF"
    assert first.statistic == pytest.approx(adf, rel=1e-12)
    assert first.p_value == pytest.approx(stats.norm.cdf(adf), rel=1e-12)
    dfr = res.tests[1]
    expected = (np.sqrt(n) * 30 * (res.rho - 1) + 3 * np.sqrt(n)) / np.sqrt(10.2)
    assert dfr.statistic == pytest.approx(expected, rel=1e-12)


def test_size_and_power() -> None:
    def rate(coint: bool, reps: int) -> float:
        return float(np.mean([
            kao_test(make_panel(s, 15, 30, coint), "y", ["x"], "id", "t").tests[0].p_value
            < 0.05 for s in range(reps)
        ]))

    # Kao's ADF is mildly oversized at this size (about 8 % in 200 draws); a wrong
    # variance correction would push it far off.
    assert rate(False, 80) <= 0.15
    assert rate(True, 20) >= 0.95


def test_rejects_unbalanced_panels() -> None:
    df = make_panel(0, 4, 12, False).iloc[1:]
    with pytest.raises(ValueError, match="balanced"):
        kao_test(df, "y", ["x"], "id", "t")
