"""models_py.unit_root: ADF statistics against statsmodels, simulated finite-sample
p-values against MacKinnon's published critical values, the simulated asymptotic table
against MacKinnon's asymptotic values, the Fisher combination by hand and by simulation,
and R plm's saved purtest output on the Grunfeld data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp
from statsmodels.tsa.stattools import adfuller

from models_py.datasets import load_grunfeld
from models_py.unit_root import (
    _ASYMPTOTIC_QUANTILES,
    _PROBS,
    _fisher_tests,
    adf_test,
    df_null_quantiles,
    df_pvalue,
    df_pvalue_asymptotic,
    fisher_adf,
    simulate_asymptotic_quantiles,
)


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
    chi, z, pm = res.tests
    assert chi.statistic == pytest.approx(-2 * np.log(p).sum(), rel=1e-12)
    assert chi.p_value == pytest.approx(stats.chi2.sf(chi.statistic, 12), rel=1e-12)
    assert z.statistic == pytest.approx(stats.norm.ppf(p).sum() / np.sqrt(6), rel=1e-12)
    assert z.p_value == pytest.approx(stats.norm.cdf(z.statistic), rel=1e-12)
    # Choi's (2001, eq. 18) modified P: (P - 2N) / (2 sqrt(N)), right tail.
    assert pm.statistic == pytest.approx((chi.statistic - 12) / (2 * np.sqrt(6)), rel=1e-12)
    assert pm.statistic == pytest.approx(-np.sum(np.log(p) + 1) / np.sqrt(6), rel=1e-12)
    assert pm.p_value == pytest.approx(stats.norm.sf(pm.statistic), rel=1e-12)
    assert list(res.tests_frame()["test"]) == ["ADF - Fisher Chi-square", "ADF - Choi Z-stat",
                                               "ADF - Choi modified P (Pm)"]


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
    chi, z, pm = res.tests
    assert np.isfinite(chi.statistic) and np.isfinite(z.statistic)
    assert np.isfinite(pm.statistic)
    assert 0 <= z.p_value <= 1 and 0 <= pm.p_value <= 1


# ---------------------------------------------------------------------------------------
# R plm's conventions, against plm's own saved test output.
#
# Reference: R package plm 2.6-4, file inst/tests/test_purtest.Rout.save, repository
# github.com/cran/plm (CRAN mirror) at commit f4a570e7db56039e5493653bdb3f878f5aedcd0e
# ("version 2.6-4"); plm is GPL (>= 2); the numbers below are copied from that printed
# output (R 4.1.2, urca installed). Data: plm's Grunfeld (models_py.datasets.load_grunfeld).
#
#   summary(purtest(pG$value, test = "ips", exo = "intercept", lags = 2, dfcor = TRUE,
#                   p.approx = "MacKinnon1996"))   # columns trho and p.trho
#   ... the same with p.approx = "MacKinnon1994"  # p.trho
#   purtest(pG$value, test = "Pm", exo = "intercept", lags = 2, dfcor = TRUE)
#       Pm = -0.77052, p-value = 0.7795
#   purtest(pG$value, test = "invnormal", exo = "intercept", lags = 2, dfcor = TRUE)
#       z = 1.9998, p-value = 0.9772
#
# (the Pm and invnormal runs use plm's default p.approx, MacKinnon 1996 with urca
# installed: the Pm printed is the one the MacKinnon1996 p.trho give, -0.77051, not the
# one of the MacKinnon1994 p.trho, -0.76782.)
PLM_TRHO = [-1.43117190, -1.83739675, -1.58422268, -2.15851492, -0.08602929,
            2.80099666, -1.75556519, 1.02362053, -2.07408161, -2.11875217]
PLM_P1996 = [0.5685499, 0.3626320, 0.4906848, 0.2218810, 0.9492112,
             0.9999971, 0.4031653, 0.9969373, 0.2554070, 0.2373267]
PLM_P1994 = [0.5672441, 0.3620596, 0.4915140, 0.2216450, 0.9508124,
             0.9990856, 0.4027346, 0.9945090, 0.2550634, 0.2370414]
PLM_PM, PLM_PM_P = -0.77052, 0.7795
PLM_Z, PLM_Z_P = 1.9998, 0.9772


def test_combination_formulas_reproduce_plm_from_its_own_p_values() -> None:
    # Fed plm's printed per-firm p-values, the combinations give plm's printed statistics
    # up to the rounding of those p-values (7 digits: 0.9999971 moves Z by up to 0.0015).
    chi, z, pm = _fisher_tests(np.array(PLM_P1996), "value")
    assert pm.statistic == pytest.approx(PLM_PM, abs=5e-5)
    assert pm.p_value == pytest.approx(PLM_PM_P, abs=5e-5)
    assert z.statistic == pytest.approx(PLM_Z, abs=0.0015)
    assert z.p_value == pytest.approx(PLM_Z_P, abs=5e-4)


def test_fisher_with_plm_conventions_on_grunfeld() -> None:
    g = load_grunfeld()
    res = fisher_adf(g, "value", "firm", "year", "c", lags=2, pvalues="asymptotic_1996")
    per = res.entity_frame()
    # Statistics: plm's dfcor = TRUE t ratios to their 8 printed decimals.
    np.testing.assert_allclose(per.t_stat, PLM_TRHO, rtol=0, atol=1e-7)
    assert (per.lags == 2).all() and (per.nobs == 17).all()
    # MacKinnon (1996) asymptotic p-values (plm's default): simulated table, within 0.001.
    np.testing.assert_allclose(per.p_value, PLM_P1996, rtol=0, atol=1e-3)
    chi, z, pm = res.tests
    assert pm.statistic == pytest.approx(PLM_PM, abs=0.005)
    assert pm.p_value == pytest.approx(PLM_PM_P, abs=0.002)
    assert z.statistic == pytest.approx(PLM_Z, abs=0.02)
    assert z.p_value == pytest.approx(PLM_Z_P, abs=0.002)
    # MacKinnon (1994) surfaces: plm's p.approx = "MacKinnon1994" exactly, except firm 6,
    # whose t = 2.80 is above the surface's maximum (2.74): p = 1 here, 0.99909 in plm.
    asy = fisher_adf(g, "value", "firm", "year", "c", lags=2, pvalues="asymptotic")
    p94 = asy.entity_frame().p_value.to_numpy()
    others = np.arange(10) != 5
    np.testing.assert_allclose(p94[others], np.array(PLM_P1994)[others], rtol=0, atol=1e-6)
    assert p94[5] == pytest.approx(1 - 1e-12)


@pytest.mark.parametrize("det", ["n", "c", "ct"])
def test_asymptotic_table_matches_mackinnon_asymptotic_values(det: str) -> None:
    quant = _ASYMPTOTIC_QUANTILES[det]
    assert quant.shape == _PROBS.shape and np.all(np.diff(quant) > 0)
    # MacKinnon (2010) asymptotic critical values (statsmodels' mackinnoncrit, T = inf).
    crit = np.interp([0.01, 0.05, 0.10], _PROBS, quant)
    np.testing.assert_allclose(crit, mackinnoncrit(N=1, regression=det, nobs=np.inf),
                               atol=0.006)
    # MacKinnon (1994) asymptotic p-values (statsmodels' mackinnonp) in the body.
    for stat in np.interp([0.02, 0.1, 0.3, 0.5, 0.7, 0.9], _PROBS, quant):
        assert df_pvalue_asymptotic(stat, det) == pytest.approx(
            mackinnonp(stat, regression=det), abs=0.004)


def test_asymptotic_pvalues_are_monotone_and_extrapolate_in_the_tails() -> None:
    grid = np.linspace(-8, 5, 131)
    p = np.array([df_pvalue_asymptotic(s, "c") for s in grid])
    assert np.all(np.diff(p) >= 0) and np.all(np.diff(p[(p > 1e-4) & (p < 0.9999)]) > 0)
    assert 0 < p[0] <= 1e-4 and 0.9999 <= p[-1] < 1
    assert np.isfinite(stats.norm.ppf(p)).all()
    with pytest.raises(ValueError):
        adf_test(np.cumsum(np.ones(30)), pvalues="mackinnon")  # type: ignore[arg-type]


def test_asymptotic_table_is_what_its_generator_makes() -> None:
    # A small rerun of simulate_asymptotic_quantiles (the table used 4,000,000 draws per
    # sample size): the quantiles in the body agree to its simulation noise.
    small = simulate_asymptotic_quantiles("c", n_sim=100_000, seed=7)
    body = (_PROBS >= 0.05) & (_PROBS <= 0.95)
    np.testing.assert_allclose(small[body], _ASYMPTOTIC_QUANTILES["c"][body], atol=0.03)
