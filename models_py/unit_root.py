"""Augmented Dickey-Fuller tests with finite-sample p-values, and the Fisher-type panel
unit-root tests built on them (Maddala and Wu 1999; Choi 2001), as EViews prints them
(paper 000 Tables 4-5: the two combined statistics and a p-value per cross-section).

ADF regression (per series, t = p+2..T):

    dy_t = [c] [+ d t] + rho y_{t-1} + sum_{j=1..p} phi_j dy_{t-j} + e_t

The statistic is the t ratio of rho. The lag order p is fixed (``lags=int``) or chosen
by ``criterion="bic"`` (default, EViews' SIC) / ``"aic"`` from 0..``max_lags`` (default Schwert's
12 (T/100)^(1/4), capped at T/2 - k_det - 1, as statsmodels' ``adfuller``), with
every candidate fitted on the common sample of the largest order and the chosen
order refitted on all available observations (statsmodels' ``adfuller`` procedure;
the unit tests check the statistic and the chosen lag against it).

p-values: finite-sample, not asymptotic
---------------------------------------
EViews, Stata (``dfuller``) and R ``urca`` report MacKinnon (1996) p-values: for the
sample size T of the test regression, the finite-sample distribution of the DF t
statistic under the null with Gaussian errors, which MacKinnon estimated by
simulation and summarized in response surfaces. His tables may not be incorporated
into other programs without his written consent, so they are not shipped here.
Instead `df_pvalue` re-runs the experiment they summarize: it simulates the
statistic's null distribution at the test's T (random walk, iid N(0, 1) errors, the
same deterministic terms, no lags, as MacKinnon's surfaces assume), with a fixed
seed, and reads the p-value off it the way MacKinnon's ``urcval`` does: a local
quadratic in the statistic fitted to Phi^-1(p) at the 9 simulated quantiles nearest
to it (linear beyond the simulated range, where MacKinnon also extrapolates). The
unit tests check the simulated 1 %, 5 % and 10 % quantiles against MacKinnon (2010)
finite-sample critical values (statsmodels' ``mackinnoncrit``) and large-sample
p-values against statsmodels' ``mackinnonp``. Expected agreement with EViews is
about 0.002-0.005 in p (simulation noise with the default 100,000 draws).

statsmodels' ``adfuller`` p-values use MacKinnon's (1994) asymptotic surfaces and are
set to exactly 1 for a statistic above a cut-off, so Phi^-1(p) is infinite in the
Choi Z; ``pvalues="asymptotic"`` uses them anyway, clipped to [1e-12, 1 - 1e-12].

Panel combination (N cross-sections with p-values p_i):

* Maddala-Wu: P = -2 sum ln p_i ~ chi2(2N).
* Choi inverse normal: Z = sum Phi^-1(p_i) / sqrt(N) ~ N(0, 1), left tail.

Also `ips_test`: Im, Pesaran and Shin (2003) W-tbar, with the null moments of the
individual ADF statistics simulated at each series' sample size and lag order.
Levin-Lin-Chu is not implemented.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.adfvalues import mackinnonp

from models_py.stat_tests import StatTest, tests_frame

Deterministic = Literal["n", "c", "ct"]
Criterion = Literal["aic", "bic"]

_N_DET = {"n": 0, "c": 1, "ct": 2}
# Probability levels at which the simulated distribution is summarized (denser in the
# tails, like MacKinnon's 221 levels from 0.0001 to 0.9999).
_PROBS = np.unique(
    np.concatenate(
        [
            np.array([0.0001, 0.0002, 0.0005]),
            np.arange(0.001, 0.01, 0.0005),
            np.arange(0.01, 0.99, 0.005),
            np.arange(0.99, 0.999, 0.0005),
            np.array([0.999, 0.9995, 0.9998, 0.9999]),
        ]
    ).round(6)
)
_MAX_SIM_T = 500


def _simulate_tau(nobs: int, deterministic: Deterministic, n_sim: int, seed: int) -> np.ndarray:
    """Draws of the DF t statistic for a regression on `nobs` observations under H0."""
    rng = np.random.default_rng(seed)
    out = np.empty(n_sim)
    trend = np.arange(1, nobs + 1, dtype=float)
    if deterministic == "n":
        proj = None
    elif deterministic == "c":
        proj = np.ones((nobs, 1))
    else:
        proj = np.column_stack([np.ones(nobs), trend])
    if proj is not None:
        q, _ = np.linalg.qr(proj)
    k = 1 + _N_DET[deterministic]
    chunk = max(1, 4_000_000 // (nobs + 1))
    for start in range(0, n_sim, chunk):
        m = min(chunk, n_sim - start)
        e = rng.standard_normal((m, nobs + 1))
        e[:, 0] = 0.0  # y_0 = 0
        y = np.cumsum(e, axis=1)
        z, d = y[:, :-1], e[:, 1:]
        if proj is not None:
            z = z - (z @ q) @ q.T
            d = d - (d @ q) @ q.T
        szz = np.einsum("ij,ij->i", z, z)
        rho = np.einsum("ij,ij->i", z, d) / szz
        resid = d - rho[:, None] * z
        s2 = np.einsum("ij,ij->i", resid, resid) / (nobs - k)
        out[start : start + m] = rho / np.sqrt(s2 / szz)
    return out


@lru_cache(maxsize=64)
def _null_quantiles(
    nobs: int, deterministic: Deterministic, n_sim: int, seed: int
) -> np.ndarray:
    draws = _simulate_tau(min(nobs, _MAX_SIM_T), deterministic, n_sim, seed)
    return np.quantile(draws, _PROBS)


def df_null_quantiles(
    probs: np.ndarray | list[float],
    nobs: int,
    deterministic: Deterministic = "c",
    n_sim: int = 100_000,
    seed: int = 1996,
) -> np.ndarray:
    """Simulated finite-sample quantiles of the DF t statistic (for checks and tables)."""
    draws = _simulate_tau(min(nobs, _MAX_SIM_T), deterministic, n_sim, seed)
    return np.quantile(draws, np.asarray(probs, float))


def df_pvalue(
    stat: float,
    nobs: int,
    deterministic: Deterministic = "c",
    n_sim: int = 100_000,
    seed: int = 1996,
) -> float:
    """Finite-sample left-tail p-value of a DF/ADF t statistic (see the module doc).

    `nobs` is the number of observations in the test regression.
    """
    if deterministic not in _N_DET:
        raise ValueError(f"deterministic must be one of {list(_N_DET)}")
    if nobs < 4 + _N_DET[deterministic]:
        raise ValueError(f"nobs = {nobs} is too small for a DF test")
    quant = _null_quantiles(int(nobs), deterministic, int(n_sim), int(seed))
    z = stats.norm.ppf(_PROBS)
    n_pts = 9
    if stat <= quant[0] or stat >= quant[-1]:
        idx = np.arange(n_pts) if stat <= quant[0] else np.arange(len(quant) - n_pts, len(quant))
        coef = np.polyfit(quant[idx], z[idx], 1)
    else:
        centre = int(np.searchsorted(quant, stat))
        lo = int(np.clip(centre - n_pts // 2, 0, len(quant) - n_pts))
        idx = np.arange(lo, lo + n_pts)
        coef = np.polyfit(quant[idx], z[idx], 2)
    return float(stats.norm.cdf(np.polyval(coef, stat)))


@dataclass(frozen=True)
class ADFResult:
    """One ADF test: statistic, p-value, lag order and observations used."""

    stat: float
    p_value: float
    lags: int
    nobs: int
    deterministic: str


def _adf_fit(y: np.ndarray, lags: int, deterministic: Deterministic, start: int) -> tuple:
    """OLS of the ADF regression using observations t >= start (0-based on dy)."""
    dy = np.diff(y)
    rows = np.arange(start, dy.size)
    cols = [y[rows]]  # y_{t-1} for dy_t = y_{t+1} - y_t indexes: dy[r] = y[r+1] - y[r]
    cols += [dy[rows - j] for j in range(1, lags + 1)]
    if deterministic in ("c", "ct"):
        cols.append(np.ones(rows.size))
    if deterministic == "ct":
        cols.append(rows + 1.0)
    x = np.column_stack(cols)
    target = dy[rows]
    xtx_inv = np.linalg.inv(x.T @ x)
    coef = xtx_inv @ x.T @ target
    resid = target - x @ coef
    n, k = x.shape
    ssr = float(resid @ resid)
    se = np.sqrt(ssr / (n - k) * xtx_inv[0, 0])
    return float(coef[0] / se), ssr, n, k


def adf_test(
    y: np.ndarray | pd.Series,
    deterministic: Deterministic = "c",
    lags: int | None = None,
    criterion: Criterion = "bic",
    max_lags: int | None = None,
    pvalues: Literal["finite_sample", "asymptotic"] = "finite_sample",
) -> ADFResult:
    """ADF test of a unit root in `y` (missing values dropped; see the module doc)."""
    x = np.asarray(pd.Series(y).dropna(), dtype=float)
    n_det = _N_DET[deterministic]
    t_total = x.size
    if max_lags is None:
        max_lags = int(np.ceil(12.0 * (t_total / 100.0) ** 0.25))
        max_lags = max(0, min(t_total // 2 - n_det - 1, max_lags))
    if lags is None:
        best, best_ic = 0, np.inf
        for p in range(max_lags + 1):
            _, ssr, n, k = _adf_fit(x, p, deterministic, start=max_lags)
            penalty = 2.0 * k if criterion == "aic" else k * np.log(n)
            # statsmodels' OLS llf-based criterion: n log(ssr / n) up to a constant.
            ic = n * np.log(ssr / n) + penalty
            if ic < best_ic - 1e-12:
                best, best_ic = p, ic
        lags = best
    if t_total - lags - 1 - (lags + 1 + n_det) < 1:
        raise ValueError(f"series of length {t_total} is too short for {lags} lags")
    stat, _, n, _ = _adf_fit(x, lags, deterministic, start=lags)
    if pvalues == "finite_sample":
        p = df_pvalue(stat, n, deterministic)
    else:
        p = float(np.clip(mackinnonp(stat, regression=deterministic, N=1), 1e-12, 1 - 1e-12))
    return ADFResult(stat=stat, p_value=p, lags=int(lags), nobs=int(n),
                     deterministic=deterministic)


@dataclass(frozen=True)
class FisherADFResult:
    """Fisher-type panel ADF test: the combined statistics and the per-entity tests."""

    variable: str
    tests: list[StatTest]
    by_entity: pd.DataFrame

    def tests_frame(self) -> pd.DataFrame:
        return tests_frame(self.tests)

    def entity_frame(self) -> pd.DataFrame:
        """One row per cross-section: entity, t_stat, p_value, lags, nobs."""
        return self.by_entity.copy()


def fisher_adf(
    df: pd.DataFrame,
    variable: str,
    entity: str,
    time: str,
    deterministic: Deterministic = "c",
    lags: int | None = None,
    criterion: Criterion = "bic",
    max_lags: int | None = None,
    pvalues: Literal["finite_sample", "asymptotic"] = "finite_sample",
) -> FisherADFResult:
    """Maddala-Wu chi-square and Choi Z tests of H0: every series has a unit root."""
    data = df.loc[:, [entity, time, variable]].dropna().sort_values([entity, time])
    rows = []
    for ent, g in data.groupby(entity, sort=True):
        r = adf_test(g[variable].to_numpy(), deterministic, lags, criterion, max_lags, pvalues)
        rows.append({"entity": ent, "t_stat": r.stat, "p_value": r.p_value,
                     "lags": r.lags, "nobs": r.nobs})
    by_entity = pd.DataFrame(rows, columns=["entity", "t_stat", "p_value", "lags", "nobs"])
    # A statistic far in a tail can give p = 0 or 1 in floating point (log(0), ppf(1) = inf);
    # clipping keeps the combined statistics finite without moving any realistic p-value.
    p = np.clip(by_entity["p_value"].to_numpy(float), 1e-12, 1 - 1e-12)
    n = p.size
    if n == 0:
        raise ValueError("no cross-section has data")
    chi = float(-2.0 * np.sum(np.log(p)))
    z = float(np.sum(stats.norm.ppf(p)) / np.sqrt(n))
    null = "all cross-sections have a unit root"
    tests = [
        StatTest("ADF - Fisher Chi-square", chi, float(stats.chi2.sf(chi, 2 * n)), "chi2",
                 str(2 * n), null, variable),
        StatTest("ADF - Choi Z-stat", z, float(stats.norm.cdf(z)), "normal", "", null,
                 variable),
    ]
    return FisherADFResult(variable=variable, tests=tests, by_entity=by_entity)


def _simulate_adf_tau(
    nobs: int, deterministic: Deterministic, lags: int, n_sim: int, seed: int
) -> np.ndarray:
    """Draws of the ADF(p) t statistic on `nobs` regression observations under H0
    (random walk with iid N(0, 1) innovations, the p lagged differences included)."""
    rng = np.random.default_rng(seed)
    n_det = _N_DET[deterministic]
    k = 1 + lags + n_det
    out = np.empty(n_sim)
    chunk = max(1, 2_000_000 // ((nobs + lags + 1) * k))
    trend = np.arange(1, nobs + 1, dtype=float)
    for start in range(0, n_sim, chunk):
        m = min(chunk, n_sim - start)
        e = rng.standard_normal((m, nobs + lags + 1))
        e[:, 0] = 0.0
        y = np.cumsum(e, axis=1)
        dy = e[:, 1:]  # dy[:, s] = y[:, s + 1] - y[:, s]
        cols = [y[:, lags : lags + nobs]]
        cols += [dy[:, lags - j : lags - j + nobs] for j in range(1, lags + 1)]
        if n_det >= 1:
            cols.append(np.ones((m, nobs)))
        if n_det == 2:
            cols.append(np.broadcast_to(trend, (m, nobs)))
        x = np.stack(cols, axis=2)  # (m, nobs, k)
        target = dy[:, lags : lags + nobs]
        xtx = np.einsum("rtk,rtl->rkl", x, x)
        xty = np.einsum("rtk,rt->rk", x, target)
        inv = np.linalg.inv(xtx)
        coef = np.einsum("rkl,rl->rk", inv, xty)
        resid = target - np.einsum("rtk,rk->rt", x, coef)
        s2 = np.einsum("rt,rt->r", resid, resid) / (nobs - k)
        out[start : start + m] = coef[:, 0] / np.sqrt(s2 * inv[:, 0, 0])
    return out


@lru_cache(maxsize=128)
def adf_null_moments(
    nobs: int, deterministic: Deterministic = "c", lags: int = 0, n_sim: int = 50_000,
    seed: int = 2003,
) -> tuple[float, float]:
    """Mean and variance of the ADF(p) t statistic under H0 at `nobs` regression
    observations, by simulation (what Im, Pesaran and Shin 2003, Table 3 tabulate)."""
    draws = _simulate_adf_tau(int(nobs), deterministic, int(lags), int(n_sim), int(seed))
    return float(draws.mean()), float(draws.var(ddof=1))


def ips_test(
    df: pd.DataFrame,
    variable: str,
    entity: str,
    time: str,
    deterministic: Deterministic = "c",
    lags: int | None = None,
    criterion: Criterion = "bic",
    max_lags: int | None = None,
) -> FisherADFResult:
    """Im, Pesaran and Shin (2003) W-tbar test of H0: every series has a unit root.

    W = sqrt(N) (tbar - mean_i E[t_i]) / sqrt(mean_i Var[t_i]) ~ N(0, 1), left tail,
    with tbar the mean of the individual ADF t statistics and E, Var the null moments
    at each series' regression sample size and lag order. IPS tabulate those moments
    (their Table 3); here they are simulated with the same design (`adf_null_moments`,
    50,000 draws), so W agrees with EViews' "Im, Pesaran and Shin W-stat" up to that
    simulation noise (about 0.01 in the moments).
    """
    data = df.loc[:, [entity, time, variable]].dropna().sort_values([entity, time])
    rows = []
    for ent, g in data.groupby(entity, sort=True):
        r = adf_test(g[variable].to_numpy(), deterministic, lags, criterion, max_lags)
        mean, var = adf_null_moments(r.nobs, deterministic, r.lags)
        rows.append({"entity": ent, "t_stat": r.stat, "p_value": r.p_value, "lags": r.lags,
                     "nobs": r.nobs, "null_mean": mean, "null_var": var})
    by_entity = pd.DataFrame(rows)
    n = len(by_entity)
    if n == 0:
        raise ValueError("no cross-section has data")
    w = float(np.sqrt(n) * (by_entity.t_stat.mean() - by_entity.null_mean.mean())
              / np.sqrt(by_entity.null_var.mean()))
    test = StatTest("Im, Pesaran and Shin W-stat", w, float(stats.norm.cdf(w)), "normal", "",
                    "all cross-sections have a unit root", variable)
    return FisherADFResult(variable=variable, tests=[test], by_entity=by_entity)
