"""models_py.unit_root: ADF statistics against statsmodels, simulated finite-sample
p-values against MacKinnon's published critical values, and the Fisher combination
by hand and by simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp
from statsmodels.tsa.stattools import adfuller

from models_py.unit_root import adf_test, df_null_quantiles, df_pvalue, fisher_adf


def sm_adf(y: np.ndarray, **kw) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return adfuller(y, **kw)


@pytest.mark.parametrize("det", ["n", "c", "ct"])
def test_statistic_and_lag_choice_match_statsmodels(det: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(4):
        y = np.cumsum(rng.normal(size=60)) + 0.3 * rng.normal(size=60)
        for lags in (0, 3):
            ours = adf_test(y, det, lags=lags)
            ref = sm_adf(y, maxlag=lags, autolag=None, regression=det)
            assert ours.stat == pytest.approx(ref[0], rel=1e-10)
            assert ours.nobs == ref[3]
        for crit in ("aic", "bic"):
            ours = adf_test(y, det, criterion=crit)
            ref = sm_adf(y, autolag=crit.upper(), regression=det)
            assert (ours.lags, ours.nobs) == (ref[2], ref[3])
            assert ours.stat == pytest.approx(ref[0], rel=1e-10)


@pytest.mark.parametrize("det", ["n", "c", "ct"])
@pytest.mark.parametrize("nobs", [20, 100])
def test_simulated_quantiles_match_mackinnon_2010_critical_values(det: str, nobs: int) -> None:
    # MacKinnon (2010) finite-sample response surfaces (statsmodels' mackinnoncrit)
    # are an independent summary of the same distribution; 100,000 draws put the 1 %
    # quantile within about 0.02 of the truth.
    sim = df_null_quantiles([0.01, 0.05, 0.10], nobs, det)
    ref = mackinnoncrit(N=1, regression=det, nobs=nobs)
    np.testing.assert_allclose(sim, ref, atol=0.04)


def test_pvalues_agree_with_asymptotic_surfaces_for_large_t() -> None:
    for stat in (-4.0, -3.4, -2.86, -2.0, -1.0, 0.0):
        assert df_pvalue(stat, 500, "c") == pytest.approx(mackinnonp(stat, "c"), abs=0.01)


def test_pvalues_are_monotone_and_below_one_for_positive_statistics() -> None:
    grid = np.linspace(-8, 4, 61)
    p = np.array([df_pvalue(s, 12, "c") for s in grid])
    assert np.all(np.diff(p) > 0)
    assert 0 < p[0] < 1e-4 and p[-1] < 1
    # statsmodels' asymptotic p-value is exactly 1 here, so Phi^-1(p) would be infinite.
    assert mackinnonp(3.5, "c") == 1.0
    assert np.isfinite(stats.norm.ppf(df_pvalue(3.5, 12, "c")))


def test_finite_sample_pvalue_differs_from_asymptotic_in_short_series() -> None:
    # At T = 10 the 5 % finite-sample critical value is about -3.23 (MacKinnon 2010),
    # well below the asymptotic -2.86: the asymptotic p-value there is about 0.02.
    crit5 = mackinnoncrit(N=1, regression="c", nobs=10)[1]
    assert df_pvalue(crit5, 10, "c") == pytest.approx(0.05, abs=0.005)
    assert mackinnonp(crit5, "c") < 0.03


def random_walk_panel(seed: int, n: int, t: int, rho: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.zeros((n, t))
    e = rng.normal(size=(n, t))
    for s in range(1, t):
        y[:, s] = rho * y[:, s - 1] + e[:, s]
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel()})


def test_fisher_combination_by_hand() -> None:
    df = random_walk_panel(3, 6, 25, rho=0.6)
    res = fisher_adf(df, "y", "id", "t", lags=1)
    per = res.entity_frame()
    assert len(per) == 6
    for ent, g in df.groupby("id"):
        r = adf_test(g.y.to_numpy(), "c", lags=1)
        assert per.set_index("entity").loc[ent, "p_value"] == pytest.approx(r.p_value)
    p = per.p_value.to_numpy()
    chi, z = res.tests
    assert chi.statistic == pytest.approx(-2 * np.log(p).sum(), rel=1e-12)
    assert chi.p_value == pytest.approx(stats.chi2.sf(chi.statistic, 12), rel=1e-12)
    assert z.statistic == pytest.approx(stats.norm.ppf(p).sum() / np.sqrt(6), rel=1e-12)
    assert z.p_value == pytest.approx(stats.norm.cdf(z.statistic), rel=1e-12)
    assert list(res.tests_frame()["test"]) == ["ADF - Fisher Chi-square", "ADF - Choi Z-stat"]


def test_fisher_size_and_power_in_short_panels() -> None:
    # Short series (T = 15) are where asymptotic p-values would distort the size.
    def rate(rho: float, reps: int) -> tuple[float, float]:
        out = [fisher_adf(random_walk_panel(s, 8, 15, rho), "y", "id", "t", lags=0).tests
               for s in range(reps)]
        return (float(np.mean([t[0].p_value < 0.05 for t in out])),
                float(np.mean([t[1].p_value < 0.05 for t in out])))

    size_chi, size_z = rate(1.0, 100)
    assert size_chi <= 0.11 and size_z <= 0.11
    power_chi, power_z = rate(0.3, 30)
    assert power_chi >= 0.9 and power_z >= 0.9


def test_ips_null_moments_approach_the_asymptotic_ones() -> None:
    from models_py.unit_root import adf_null_moments

    # Nabeya (1999) / IPS (2003) Table 1: with a constant the DF t statistic has
    # asymptotic mean -1.533 and variance 0.706. Simulation noise (50,000 draws) is
    # about 0.004 for the mean and 0.005 for the variance.
    mean, var = adf_null_moments(500, "c", 0)
    assert mean == pytest.approx(-1.533, abs=0.015)
    assert var == pytest.approx(0.706, abs=0.02)
    # With lags the lag-augmented design is simulated; at p = 0 it is the DF design.
    sim = df_null_quantiles([0.5], 10, "c")[0]
    assert adf_null_moments(10, "c", 0)[0] == pytest.approx(sim, abs=0.1)


def test_ips_statistic_by_hand_and_size_power() -> None:
    from models_py.unit_root import ips_test

    res = ips_test(random_walk_panel(1, 6, 20, rho=0.7), "y", "id", "t", lags=1)
    per = res.entity_frame()
    w = np.sqrt(6) * (per.t_stat.mean() - per.null_mean.mean()) / np.sqrt(per.null_var.mean())
    assert res.tests[0].statistic == pytest.approx(w, rel=1e-12)
    size = np.mean([ips_test(random_walk_panel(s, 8, 15), "y", "id", "t", lags=0)
                    .tests[0].p_value < 0.05 for s in range(100)])
    power = np.mean([ips_test(random_walk_panel(s, 8, 15, 0.3), "y", "id", "t", lags=0)
                     .tests[0].p_value < 0.05 for s in range(30)])
    assert size <= 0.11
    assert power >= 0.9


def test_fisher_stays_finite_when_a_cross_section_has_p_of_one() -> None:
    # An explosive series puts the ADF statistic far in the right tail, where the
    # finite-sample p-value is 1.0 in floating point; ppf(1) would make Choi Z infinite.
    df = random_walk_panel(5, 4, 25, rho=0.6)
    explosive = np.exp(0.4 * np.arange(25.0))
    df.loc[df["id"] == 0, "y"] = explosive
    res = fisher_adf(df, "y", "id", "t", lags=0)
    assert res.entity_frame()["p_value"].max() > 1 - 1e-9
    chi, z = res.tests
    assert np.isfinite(chi.statistic) and np.isfinite(z.statistic)
    assert 0 <= z.p_value <= 1
