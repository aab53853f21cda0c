"""Augmented Dickey-Fuller tests with finite-sample p-values, and the Fisher-type panel
unit-root tests built on them (Maddala and Wu 1999; Choi 2001), as EViews prints them
(paper 000 Tables 4-5: the two combined statistics and a p-value per cross-section), with
the p-value conventions of R plm and Stata available for comparison.

ADF regression (per series, t = p+2..T):

    dy_t = [c] [+ d t] + rho y_{t-1} + sum_{j=1..p} phi_j dy_{t-j} + e_t

The statistic is the t ratio of rho. The lag order p is fixed (``lags=int``) or chosen
by ``criterion="bic"`` (default, EViews' SIC) / ``"aic"`` from 0..``max_lags`` (default Schwert's
12 (T/100)^(1/4), capped at T/2 - k_det - 1, as statsmodels' ``adfuller``), with
every candidate fitted on the common sample of the largest order and the chosen
order refitted on all available observations (statsmodels' ``adfuller`` procedure;
the unit tests check the statistic and the chosen lag against it).

p-values: three conventions (``pvalues=``), one per package users compare with
-------------------------------------------------------------------------------
The per-entity p-value convention moves the combined statistics (Choi's Z most: a
statistic far in the right tail enters as Phi^-1(p)); the statistics themselves agree.

* ``"finite_sample"`` (default) -- EViews. EViews reads its ADF p-values off MacKinnon's
  (1996) response surfaces at the sample size T of each test regression (its ADF output
  prints "MacKinnon (1996) one-sided p-values" with finite-sample critical values), and
  its "ADF - Fisher Chi-square" / "ADF - Choi Z-stat" combine those per-cross-section
  p-values. MacKinnon's tables may not be incorporated into other programs without his
  written consent, so they are not shipped here. Instead `df_pvalue` re-runs the
  experiment they summarize: it simulates the statistic's null distribution at the
  test's T (random walk, iid N(0, 1) errors, the same deterministic terms, no lags, as
  MacKinnon's surfaces assume), with a fixed seed, and reads the p-value off it the way
  MacKinnon's ``urcval`` does: a local quadratic in the statistic fitted to Phi^-1(p) at
  the 9 simulated quantiles nearest to it (linear beyond the simulated range, where
  MacKinnon also extrapolates). The unit tests check the simulated 1 %, 5 % and 10 %
  quantiles against MacKinnon (2010) finite-sample critical values (statsmodels'
  ``mackinnoncrit``) and large-sample p-values against statsmodels' ``mackinnonp``.
  Expected agreement with EViews is about 0.002-0.005 in p (simulation noise with the
  default 100,000 draws).
* ``"asymptotic_1996"`` -- R ``plm::purtest`` (tests ``"madwu"``, ``"Pm"``,
  ``"invnormal"``, ``"logit"``), whose ``padf`` calls ``urca::punitroot(t, N = Inf)``:
  MacKinnon's 1996 surfaces at T = inf, whatever the series length (plm's default
  whenever ``urca`` is installed, ``p.approx = "MacKinnon1996"``). Here
  `df_pvalue_asymptotic` reads them off `_ASYMPTOTIC_QUANTILES`, this module's own
  simulation of the asymptotic distribution (`simulate_asymptotic_quantiles`: 4,000,000
  draws at T = 250 and at T = 1000, extrapolated linearly in 1/T), by ``urcval``'s rule,
  including its quadratic on the 5 outermost quantiles beyond the 0.0001 / 0.9999 levels.
  The unit tests reproduce plm's saved output on the Grunfeld data (plm 2.6-4,
  ``inst/tests/test_purtest.Rout.save``): t statistics to 1e-8, per-entity p-values to
  0.001 (0.0004 measured), Pm to 0.005 (0.0009) and Choi Z to 0.02 (0.016: 0.012 of it
  from one firm with t = 2.80, p = 0.9999971 in plm and 0.9999976 here, beyond every
  table, where both plm and this code extrapolate). The 1 %, 5 % and 10 % quantiles of
  the table agree with MacKinnon's (2010) asymptotic critical values to 0.002. plm's
  ``dfcor = FALSE`` default divides the SSR by n instead of n - k in the ADF t ratio;
  the statistics here are those of ``dfcor = TRUE`` (EViews, statsmodels), so compare
  with that option.
* ``"asymptotic"`` -- MacKinnon's (1994) asymptotic surfaces (statsmodels'
  ``mackinnonp``, used by ``adfuller``): Stata's ``dfuller`` "MacKinnon approximate
  p-value" (Z(t) = -1.229 and -2.571 give 0.6610 and 0.0991 here, 0.6608 and 0.0991 in
  Stata outputs posted on Statalist) and plm's ``p.approx = "MacKinnon1994"`` up to the
  maximum of the surface (t = 2.74 with a constant). Above it statsmodels sets p to
  exactly 1, clipped here to 1 - 1e-12 so that Phi^-1(p) stays finite, while plm
  continues the cubic, whose p falls again (0.99909 at t = 2.80).

Panel combination (N cross-sections with p-values p_i, each clipped to
[1e-12, 1 - 1e-12]):

* Maddala-Wu: P = -2 sum ln p_i ~ chi2(2N).
* Choi inverse normal: Z = sum Phi^-1(p_i) / sqrt(N) ~ N(0, 1), left tail.
* Choi modified P (Choi 2001, eq. 18; for large N): Pm = -sum (ln p_i + 1) / sqrt(N)
  = (P - 2N) / (2 sqrt(N)) ~ N(0, 1), right tail (plm ``"Pm"``, Stata's "Modified inv.
  chi-squared Pm").

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
PValues = Literal["finite_sample", "asymptotic_1996", "asymptotic"]

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


def _pvalue_from_quantiles(stat: float, quant: np.ndarray, tail: str) -> float:
    """Left-tail p-value of `stat` from the quantiles `quant` of its null distribution at
    the levels `_PROBS`: Phi^-1(p) as a local quadratic in the statistic on the 9 nearest
    quantiles (MacKinnon's ``urcval`` method). Beyond the tabulated range, ``tail="linear"``
    fits a line to the 9 outermost quantiles; ``tail="quadratic"`` fits a quadratic to the 5
    outermost ones, as ``urcval`` does (a line when the quadratic would turn back), and
    keeps p beyond the outermost level."""
    z = stats.norm.ppf(_PROBS)
    n_pts = 9
    if quant[0] < stat < quant[-1]:
        centre = int(np.searchsorted(quant, stat))
        lo = int(np.clip(centre - n_pts // 2, 0, len(quant) - n_pts))
        idx = np.arange(lo, lo + n_pts)
        return float(stats.norm.cdf(np.polyval(np.polyfit(quant[idx], z[idx], 2), stat)))
    upper = stat >= quant[-1]
    value = None
    if tail == "quadratic":
        idx = np.arange(len(quant) - 5, len(quant)) if upper else np.arange(5)
        a, b, c = np.polyfit(quant[idx], z[idx], 2)
        edge = quant[-1] if upper else quant[0]
        if 2 * a * stat + b > 0 and 2 * a * edge + b > 0:  # still increasing up to stat
            value = a * stat**2 + b * stat + c
    if value is None:
        idx = np.arange(len(quant) - n_pts, len(quant)) if upper else np.arange(n_pts)
        value = np.polyval(np.polyfit(quant[idx], z[idx], 1), stat)
    p = float(stats.norm.cdf(value))
    if tail == "quadratic":
        p = max(p, float(_PROBS[-1])) if upper else min(p, float(_PROBS[0]))
    return p


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
    return _pvalue_from_quantiles(stat, quant, "linear")


def simulate_asymptotic_quantiles(
    deterministic: Deterministic,
    sizes: tuple[int, int] = (250, 1000),
    n_sim: int = 4_000_000,
    seed: int = 1996,
) -> np.ndarray:
    """Asymptotic quantiles of the DF t statistic at the levels `_PROBS`, by simulation.

    The quantiles q(T) are simulated at two sample sizes T1 < T2 (`n_sim` draws each, in
    chunks of 500,000 with seeds seed, seed + 1, ... for T1 and seed + 100, ... for T2) and
    extrapolated linearly in 1/T to T = inf (MacKinnon's response surfaces have the
    same leading 1/T term): q_inf = q(T2) + (q(T2) - q(T1)) T1 / (T2 - T1). This is how
    `_ASYMPTOTIC_QUANTILES` was made (about 9 minutes for the three cases on one core).
    """
    out = []
    for k, t in enumerate(sizes):
        draws = np.concatenate([
            _simulate_tau(t, deterministic, min(500_000, n_sim - start), seed + 100 * k + i)
            for i, start in enumerate(range(0, n_sim, 500_000))
        ])
        out.append(np.quantile(draws, _PROBS))
    t1, t2 = sizes
    return out[1] + (out[1] - out[0]) * t1 / (t2 - t1)


def df_pvalue_asymptotic(stat: float, deterministic: Deterministic = "c") -> float:
    """Asymptotic left-tail p-value of a DF/ADF t statistic, from the simulated asymptotic
    quantiles `_ASYMPTOTIC_QUANTILES` (the distribution MacKinnon's 1996 surfaces give for
    T = inf, which R ``urca::punitroot(N = Inf)`` and so ``plm::purtest`` use)."""
    if deterministic not in _N_DET:
        raise ValueError(f"deterministic must be one of {list(_N_DET)}")
    return _pvalue_from_quantiles(stat, _ASYMPTOTIC_QUANTILES[deterministic], "quadratic")


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
    pvalues: PValues = "finite_sample",
) -> ADFResult:
    """ADF test of a unit root in `y` (missing values dropped; see the module doc)."""
    if pvalues not in PValues.__args__:
        raise ValueError(f"pvalues must be one of {list(PValues.__args__)}")
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
    elif pvalues == "asymptotic_1996":
        p = df_pvalue_asymptotic(stat, deterministic)
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
    pvalues: PValues = "finite_sample",
) -> FisherADFResult:
    """Maddala-Wu chi-square, Choi Z and Choi Pm tests of H0: every series has a unit root
    (module doc; `pvalues` chooses the convention of the per-entity p-values)."""
    data = df.loc[:, [entity, time, variable]].dropna().sort_values([entity, time])
    rows = []
    for ent, g in data.groupby(entity, sort=True):
        r = adf_test(g[variable].to_numpy(), deterministic, lags, criterion, max_lags, pvalues)
        rows.append({"entity": ent, "t_stat": r.stat, "p_value": r.p_value,
                     "lags": r.lags, "nobs": r.nobs})
    by_entity = pd.DataFrame(rows, columns=["entity", "t_stat", "p_value", "lags", "nobs"])
    tests = _fisher_tests(by_entity["p_value"].to_numpy(float), variable)
    return FisherADFResult(variable=variable, tests=tests, by_entity=by_entity)


def _fisher_tests(p_values: np.ndarray, variable: str) -> list[StatTest]:
    """Maddala-Wu P, Choi Z and Choi Pm from the per-entity p-values."""
    # A statistic far in a tail can give p = 0 or 1 in floating point (log(0), ppf(1) = inf);
    # clipping keeps the combined statistics finite without moving any realistic p-value.
    p = np.clip(np.asarray(p_values, float), 1e-12, 1 - 1e-12)
    n = p.size
    if n == 0:
        raise ValueError("no cross-section has data")
    chi = float(-2.0 * np.sum(np.log(p)))
    z = float(np.sum(stats.norm.ppf(p)) / np.sqrt(n))
    pm = float(-np.sum(np.log(p) + 1.0) / np.sqrt(n))
    null = "all cross-sections have a unit root"
    tests = [
        StatTest("ADF - Fisher Chi-square", chi, float(stats.chi2.sf(chi, 2 * n)), "chi2",
                 str(2 * n), null, variable),
        StatTest("ADF - Choi Z-stat", z, float(stats.norm.cdf(z)), "normal", "", null,
                 variable),
        StatTest("ADF - Choi modified P (Pm)", pm, float(stats.norm.sf(pm)), "normal", "",
                 null, variable),
    ]
    return tests


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


# Asymptotic quantiles of the DF t statistic at the levels `_PROBS`, made by
# `simulate_asymptotic_quantiles(deterministic)` with its defaults (rounded to 4
# decimals; see the module doc).
_ASYMPTOTIC_QUANTILES: dict[str, np.ndarray] = {
    "n": np.array([
        -3.9073, -3.7183, -3.4803, -3.2870, -3.1696, -3.0834, -3.0148, -2.9572, -2.9079, -2.8658,
        -2.8272, -2.7930, -2.7617, -2.7337, -2.7070, -2.6832, -2.6597, -2.6387, -2.6189, -2.5994,
        -2.5812, -2.5636, -2.4163, -2.3093, -2.2229, -2.1515, -2.0894, -2.0343, -1.9841, -1.9393,
        -1.8971, -1.8581, -1.8223, -1.7885, -1.7561, -1.7260, -1.6971, -1.6690, -1.6424, -1.6167,
        -1.5925, -1.5688, -1.5459, -1.5238, -1.5024, -1.4815, -1.4611, -1.4412, -1.4217, -1.4030,
        -1.3843, -1.3661, -1.3483, -1.3309, -1.3139, -1.2975, -1.2810, -1.2652, -1.2496, -1.2340,
        -1.2187, -1.2039, -1.1888, -1.1743, -1.1600, -1.1458, -1.1319, -1.1181, -1.1043, -1.0907,
        -1.0774, -1.0640, -1.0508, -1.0379, -1.0252, -1.0126, -1.0000, -0.9875, -0.9752, -0.9629,
        -0.9508, -0.9386, -0.9266, -0.9145, -0.9026, -0.8909, -0.8791, -0.8674, -0.8559, -0.8443,
        -0.8329, -0.8215, -0.8100, -0.7986, -0.7871, -0.7760, -0.7647, -0.7533, -0.7419, -0.7307,
        -0.7195, -0.7082, -0.6969, -0.6855, -0.6742, -0.6629, -0.6516, -0.6402, -0.6288, -0.6172,
        -0.6057, -0.5940, -0.5825, -0.5707, -0.5588, -0.5468, -0.5348, -0.5229, -0.5109, -0.4986,
        -0.4863, -0.4741, -0.4616, -0.4491, -0.4369, -0.4240, -0.4114, -0.3988, -0.3858, -0.3731,
        -0.3598, -0.3466, -0.3333, -0.3202, -0.3066, -0.2930, -0.2793, -0.2656, -0.2517, -0.2379,
        -0.2240, -0.2101, -0.1962, -0.1822, -0.1682, -0.1538, -0.1396, -0.1250, -0.1106, -0.0960,
        -0.0812, -0.0664, -0.0518, -0.0370, -0.0216, -0.0064, 0.0087, 0.0241, 0.0396, 0.0551,
        0.0709, 0.0870, 0.1029, 0.1193, 0.1358, 0.1524, 0.1691, 0.1858, 0.2030, 0.2202,
        0.2373, 0.2549, 0.2727, 0.2908, 0.3093, 0.3275, 0.3464, 0.3652, 0.3845, 0.4041,
        0.4238, 0.4439, 0.4643, 0.4853, 0.5063, 0.5274, 0.5492, 0.5714, 0.5941, 0.6182,
        0.6419, 0.6662, 0.6909, 0.7162, 0.7427, 0.7701, 0.7983, 0.8273, 0.8566, 0.8870,
        0.9180, 0.9508, 0.9848, 1.0205, 1.0588, 1.0988, 1.1402, 1.1835, 1.2308, 1.2818,
        1.3364, 1.3963, 1.4617, 1.5367, 1.6220, 1.7224, 1.8466, 2.0134, 2.0330, 2.0543,
        2.0769, 2.1004, 2.1244, 2.1515, 2.1791, 2.2082, 2.2415, 2.2765, 2.3154, 2.3582,
        2.4065, 2.4595, 2.5217, 2.5971, 2.6923, 2.8214, 3.0170, 3.2788, 3.4884,
    ]),
    "c": np.array([
        -4.6399, -4.4852, -4.2657, -4.0931, -3.9827, -3.9021, -3.8413, -3.7903, -3.7450, -3.7053,
        -3.6717, -3.6414, -3.6132, -3.5858, -3.5624, -3.5405, -3.5197, -3.4996, -3.4808, -3.4634,
        -3.4469, -3.4302, -3.3006, -3.2027, -3.1241, -3.0574, -3.0003, -2.9502, -2.9048, -2.8634,
        -2.8252, -2.7898, -2.7563, -2.7247, -2.6953, -2.6671, -2.6405, -2.6152, -2.5905, -2.5669,
        -2.5442, -2.5224, -2.5016, -2.4812, -2.4614, -2.4423, -2.4235, -2.4057, -2.3882, -2.3709,
        -2.3543, -2.3377, -2.3218, -2.3060, -2.2906, -2.2753, -2.2606, -2.2460, -2.2315, -2.2175,
        -2.2036, -2.1900, -2.1765, -2.1633, -2.1505, -2.1374, -2.1247, -2.1119, -2.0997, -2.0873,
        -2.0753, -2.0631, -2.0513, -2.0396, -2.0277, -2.0162, -2.0047, -1.9933, -1.9821, -1.9710,
        -1.9600, -1.9491, -1.9382, -1.9272, -1.9165, -1.9058, -1.8952, -1.8846, -1.8741, -1.8637,
        -1.8534, -1.8430, -1.8328, -1.8225, -1.8125, -1.8023, -1.7925, -1.7825, -1.7726, -1.7626,
        -1.7525, -1.7425, -1.7327, -1.7228, -1.7129, -1.7031, -1.6934, -1.6836, -1.6737, -1.6640,
        -1.6543, -1.6446, -1.6349, -1.6251, -1.6153, -1.6057, -1.5960, -1.5862, -1.5766, -1.5669,
        -1.5571, -1.5474, -1.5377, -1.5280, -1.5181, -1.5083, -1.4985, -1.4885, -1.4786, -1.4687,
        -1.4588, -1.4488, -1.4388, -1.4287, -1.4187, -1.4088, -1.3988, -1.3885, -1.3781, -1.3677,
        -1.3574, -1.3469, -1.3364, -1.3258, -1.3152, -1.3046, -1.2938, -1.2830, -1.2720, -1.2610,
        -1.2499, -1.2388, -1.2275, -1.2161, -1.2046, -1.1930, -1.1815, -1.1697, -1.1578, -1.1456,
        -1.1333, -1.1210, -1.1087, -1.0959, -1.0833, -1.0703, -1.0570, -1.0435, -1.0300, -1.0161,
        -1.0019, -0.9878, -0.9733, -0.9587, -0.9437, -0.9285, -0.9129, -0.8968, -0.8809, -0.8643,
        -0.8475, -0.8304, -0.8130, -0.7955, -0.7774, -0.7588, -0.7399, -0.7205, -0.7005, -0.6803,
        -0.6590, -0.6379, -0.6160, -0.5928, -0.5698, -0.5459, -0.5209, -0.4955, -0.4688, -0.4416,
        -0.4136, -0.3837, -0.3528, -0.3199, -0.2858, -0.2494, -0.2104, -0.1702, -0.1275, -0.0802,
        -0.0296, 0.0259, 0.0876, 0.1568, 0.2362, 0.3293, 0.4466, 0.6038, 0.6234, 0.6442,
        0.6647, 0.6863, 0.7103, 0.7345, 0.7616, 0.7904, 0.8214, 0.8562, 0.8921, 0.9301,
        0.9755, 1.0259, 1.0848, 1.1568, 1.2448, 1.3658, 1.5739, 1.8151, 1.9938,
    ]),
    "ct": np.array([
        -5.1048, -4.9673, -4.7553, -4.5977, -4.4920, -4.4167, -4.3551, -4.3051, -4.2629, -4.2262,
        -4.1909, -4.1606, -4.1335, -4.1095, -4.0866, -4.0644, -4.0443, -4.0263, -4.0063, -3.9899,
        -3.9735, -3.9587, -3.8317, -3.7360, -3.6601, -3.5970, -3.5426, -3.4937, -3.4495, -3.4097,
        -3.3738, -3.3396, -3.3078, -3.2778, -3.2496, -3.2227, -3.1972, -3.1728, -3.1495, -3.1273,
        -3.1060, -3.0851, -3.0654, -3.0457, -3.0271, -3.0087, -2.9912, -2.9738, -2.9571, -2.9408,
        -2.9247, -2.9090, -2.8933, -2.8784, -2.8637, -2.8494, -2.8352, -2.8213, -2.8076, -2.7943,
        -2.7811, -2.7681, -2.7553, -2.7426, -2.7298, -2.7174, -2.7051, -2.6930, -2.6811, -2.6694,
        -2.6576, -2.6461, -2.6348, -2.6235, -2.6126, -2.6016, -2.5907, -2.5798, -2.5692, -2.5586,
        -2.5479, -2.5376, -2.5271, -2.5170, -2.5068, -2.4968, -2.4868, -2.4768, -2.4669, -2.4569,
        -2.4471, -2.4374, -2.4279, -2.4180, -2.4085, -2.3989, -2.3894, -2.3799, -2.3706, -2.3613,
        -2.3518, -2.3427, -2.3334, -2.3242, -2.3152, -2.3060, -2.2970, -2.2881, -2.2790, -2.2701,
        -2.2612, -2.2522, -2.2432, -2.2342, -2.2251, -2.2162, -2.2073, -2.1982, -2.1894, -2.1805,
        -2.1715, -2.1626, -2.1537, -2.1449, -2.1360, -2.1272, -2.1182, -2.1093, -2.1002, -2.0913,
        -2.0824, -2.0736, -2.0645, -2.0554, -2.0465, -2.0374, -2.0285, -2.0194, -2.0104, -2.0014,
        -1.9922, -1.9830, -1.9739, -1.9648, -1.9554, -1.9461, -1.9367, -1.9273, -1.9179, -1.9083,
        -1.8989, -1.8891, -1.8794, -1.8697, -1.8599, -1.8501, -1.8402, -1.8303, -1.8204, -1.8103,
        -1.7999, -1.7895, -1.7791, -1.7685, -1.7580, -1.7472, -1.7363, -1.7254, -1.7142, -1.7029,
        -1.6916, -1.6803, -1.6686, -1.6568, -1.6449, -1.6329, -1.6205, -1.6081, -1.5953, -1.5826,
        -1.5693, -1.5560, -1.5423, -1.5284, -1.5142, -1.4996, -1.4847, -1.4696, -1.4537, -1.4378,
        -1.4211, -1.4041, -1.3868, -1.3688, -1.3501, -1.3311, -1.3110, -1.2901, -1.2686, -1.2460,
        -1.2221, -1.1974, -1.1715, -1.1439, -1.1151, -1.0844, -1.0521, -1.0176, -0.9799, -0.9388,
        -0.8947, -0.8467, -0.7922, -0.7299, -0.6598, -0.5750, -0.4690, -0.3274, -0.3097, -0.2912,
        -0.2714, -0.2511, -0.2296, -0.2079, -0.1831, -0.1560, -0.1270, -0.0953, -0.0614, -0.0243,
        0.0159, 0.0631, 0.1218, 0.1879, 0.2711, 0.3896, 0.5730, 0.7972, 0.9841,
    ]),
}
