"""Panel threshold regression with fixed effects (Hansen 1999, J. Econometrics 93,
345-368), for one, two or three thresholds.

Model (one threshold; c the regime-dependent regressor, q the threshold variable):

    y_it = mu_i + x_it' theta + beta_1 c_it 1[q_it in regime 1] + beta_2 c_it 1[regime 2] + e_it

Estimation: all variables are within-transformed (entity means removed); for each
candidate gamma on a grid the model is linear, and gamma-hat minimizes the sum of
squared residuals S(gamma). Because c 1[q >= gamma] = c - c 1[q < gamma], every
candidate adds a single column g_gamma = within(c 1[q < gamma]) to a fixed base
[x, c], so S(gamma) = S_base - (r_gamma' e_base)^2 / (r_gamma' r_gamma) with r_gamma
the residual of g_gamma on the base: one projection of the whole grid, no loop of
regressions. Further thresholds are found sequentially (Hansen 1999, sec. 3.3): the
second given the first, then the first re-estimated given the second ("refinement");
the third given the refined pair.

Conventions (``convention=``):

* ``"hansen"`` (default): as Hansen's own code and R pdR: within transform on all
  periods, then the last period of each entity dropped (the demeaned rows of an
  entity sum to zero, so one is redundant); regime indicator 1[q < gamma];
  sigma^2 = S / (n (T - 1)). On Hansen's data this reproduces his published
  thresholds 0.0157 and 0.5362 exactly (dropping the first period instead gives
  0.0157 and 0.5407).
* ``"xthreg"``: as Stata ``xthreg`` (Wang 2015): all periods kept, indicator
  1[q <= gamma]; sigma^2 = S / (n T).

Grid (both conventions): Hansen's: the sorted unique values of q, taken at positions
floor(m p) (1-based, m unique values) for p = trim, trim + step, ..., 1 - trim;
trim = 0.01 and step = 0.0025 give his 393 points.

Minimum regime size: the grid keeps a ``trim`` share of the distinct values of q in each
end regime; between two thresholds, a candidate is admissible only if every regime
bounded by two thresholds holds at least ceil(trim N) of the N observations (all
periods, counted with the convention's indicator), given the thresholds already
chosen. This applies to every search: the second threshold, the refinement, the third
and all bootstrap searches. Hansen's own code (the GAUSS code of the paper, as ported
in R ``pdR::ptm``) excludes instead a window of trim / step grid points around each
chosen threshold (at his settings the 5 points below it, itself and the 2 above, so a
new regime spans at least 6 grid steps below or 3 above: 1.5 % or 0.75 % of the
distinct values); the observation count is used here because it guarantees the
minimum size, in the units users check, on both sides. On Hansen's data both give the
same single and double thresholds (0.0157, 0.5362); the third threshold is 0.5103 (86
of 7,910 observations between it and 0.5362) here and 0.5060 (102) with his window,
where a search excluding only the chosen points finds 0.5145 (68, under 1 %).

Tests: F_k = (S_{k-1} - S_k) / sigma_k^2 for k thresholds against k - 1, with
bootstrap p-values (Hansen 1999, sec. 3.2; ``n_boot`` draws, default 300): under the
(k-1)-threshold null, y* = fitted values + residual vectors of whole entities drawn
with replacement, the regressors held fixed, and the k-threshold search repeated on
y* (first thresholds re-estimated, no refinement, as in Hansen's code). The
projections of the grid are computed once and updated by rank-one steps, so a draw
costs two matrix products.

Confidence intervals for each threshold invert the likelihood ratio
LR(gamma) = (S(gamma) - S(gamma-hat)) / sigma^2: the grid points with
LR <= c(alpha) = -2 ln(1 - sqrt(1 - alpha)) (7.35 at 95 %); for two thresholds LR
of the refined first threshold is conditional on the second and vice versa.

Regime coefficients are re-estimated by OLS on the within-transformed data with the
chosen covariance: ``"robust"`` (White, as Hansen's tables), ``"unadjusted"``
(S / (N - k)), or ``"clustered_entity"`` (CR1, G / (G - 1) (N - 1) / (N - k)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats

from models_py.stat_tests import StatTest, tests_frame

Convention = Literal["hansen", "xthreg"]
ThresholdCov = Literal["robust", "unadjusted", "clustered_entity"]


def lr_critical_value(level: float = 0.95) -> float:
    """Hansen's (2000) asymptotic critical value of the LR statistic for gamma."""
    return float(-2.0 * np.log(1.0 - np.sqrt(level)))


def hansen_grid(q: np.ndarray, trim: float = 0.01, step: float = 0.0025) -> np.ndarray:
    """Hansen's grid: unique sorted q at 1-based positions floor(m p), p = trim..1-trim."""
    qs = np.unique(q[~np.isnan(q)])
    m = qs.size
    probs = np.arange(trim, 1.0 - trim + step / 2, step)
    pos = np.clip(np.floor(m * probs + 1e-9).astype(int), 1, m)
    return qs[pos - 1]


@dataclass(frozen=True)
class _Prepared:
    y: np.ndarray  # within-transformed, kept rows
    base: np.ndarray  # within [x, c]
    grid_cols: np.ndarray  # within c 1[q in lower regime(gamma)], one column per grid point
    raw_x: np.ndarray
    c: np.ndarray
    q: np.ndarray
    keep: np.ndarray
    codes_kept: np.ndarray
    within: object
    n_entities: int
    balanced_t: int | None
    below: np.ndarray  # observations (all periods) in the lower regime of each grid point


def _within_op(codes: np.ndarray, n: int):
    ind = sparse.csr_matrix(
        (np.ones(codes.size), (np.arange(codes.size), codes)), shape=(codes.size, n)
    )
    counts = np.asarray(ind.sum(axis=0)).ravel()

    def apply(v: np.ndarray) -> np.ndarray:
        means = (ind.T @ v) / (counts[:, None] if v.ndim == 2 else counts)
        return v - ind @ means

    return apply


def _indicator(q: np.ndarray, gamma: np.ndarray, convention: Convention) -> np.ndarray:
    if convention == "hansen":
        return q[:, None] < gamma[None, :]
    return q[:, None] <= gamma[None, :]


def _resid_on(mat: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Remove from every column of `mat` its projection on the vector `r`."""
    rr = float(r @ r)
    return mat - np.outer(r, (r @ mat) / rr)


@dataclass(frozen=True)
class _SearchState:
    """Residualized grid columns and residuals given the current base."""

    grid_res: np.ndarray  # (n, g)
    den: np.ndarray  # (g,)
    resid: np.ndarray  # (n,) or (n, B)


def _state(grid_cols_res: np.ndarray, resid: np.ndarray) -> _SearchState:
    return _SearchState(grid_cols_res, np.einsum("ij,ij->j", grid_cols_res, grid_cols_res), resid)


def _admissible(below: np.ndarray, chosen: list[int] | tuple[int, ...],
                min_count: int) -> np.ndarray:
    """Grid points that leave at least `min_count` observations in every regime between
    two thresholds, given the thresholds already chosen (grid indices).

    `below[j]` is the number of observations in the lower regime of grid point j, so
    the regime between grid points a < b holds below[b] - below[a] observations; a
    candidate is admissible when it is that far from every chosen threshold (the
    nearest ones bind). The chosen points themselves are never admissible.
    """
    ok = np.ones(below.size, bool)
    for c in chosen:
        ok &= np.abs(below - below[c]) >= max(min_count, 1)
    return ok


def _ssr_curve(st: _SearchState, admissible: np.ndarray) -> np.ndarray:
    """S(gamma_j) for every grid point (rows) and, for 2-d residuals, every draw;
    inf where the grid point is not admissible."""
    num = st.grid_res.T @ st.resid
    base = np.einsum("i...,i...->...", st.resid, st.resid)
    tol = 1e-10 * max(float(st.den.max()), 1e-300)
    ok = (st.den > tol) & admissible
    out = np.full(num.shape, np.inf)
    den = st.den[:, None] if num.ndim == 2 else st.den
    den_b = np.broadcast_to(den, num.shape)
    ratio = np.divide(num**2, den_b, out=np.zeros(num.shape), where=den_b > tol)
    out[ok] = (base - ratio)[ok]
    return out


def _add(st: _SearchState, j: int) -> _SearchState:
    r = st.grid_res[:, j].copy()
    rr = float(r @ r)
    resid = st.resid - (np.outer(r, r @ st.resid) / rr if st.resid.ndim == 2
                        else r * (r @ st.resid) / rr)
    return _state(_resid_on(st.grid_res, r), resid)


@dataclass(frozen=True)
class ThresholdStep:
    """Estimates for a model with `k` thresholds."""

    k: int
    thresholds: list[float]
    ssr: float
    f_stat: float
    p_value: float
    ci: list[tuple[float, float]]
    boot_f: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class ThresholdResult:
    """Panel threshold model: sequential tests, thresholds with CIs, regime coefficients."""

    dependent: str
    regime_var: str
    threshold_var: str
    convention: str
    steps: list[ThresholdStep]
    ssr_linear: float
    grid: np.ndarray
    # LR(gamma) over the grid for each threshold of the final model (sorted), for the
    # usual LR plot; the horizontal line is lr_critical_value(level).
    lr_curves: list[np.ndarray]
    params: pd.Series
    std_errors: pd.Series
    pvalues: pd.Series
    nobs: int
    n_entities: int
    cov_type: str

    @property
    def thresholds(self) -> list[float]:
        return self.steps[-1].thresholds

    def tests_frame(self) -> pd.DataFrame:
        """One row per threshold test: F_k with its bootstrap p-value."""
        names = {1: "single", 2: "double", 3: "triple"}
        return tests_frame(
            StatTest(
                test=f"threshold effect: {names[s.k]} (F{s.k})",
                statistic=s.f_stat,
                p_value=s.p_value,
                distribution="bootstrap",
                df=str(len(s.boot_f)),
                null=f"{s.k - 1} threshold(s)",
                model=self.dependent,
            )
            for s in self.steps
        )

    def thresholds_frame(self) -> pd.DataFrame:
        """One row per threshold of the final model (sorted): estimate and the LR
        confidence interval."""
        final = self.steps[-1]
        return pd.DataFrame({
            "threshold": [f"gamma{i + 1}" for i in range(len(final.thresholds))],
            "estimate": final.thresholds,
            "conf_low": [lo for lo, _ in final.ci],
            "conf_high": [hi for _, hi in final.ci],
        })

    def steps_frame(self) -> pd.DataFrame:
        """One row per sequential test (Hansen 1999, Table 2 layout): number of
        thresholds, SSR, F, bootstrap p-value and bootstrap critical values."""
        rows = []
        for st in self.steps:
            crit = (np.quantile(st.boot_f, [0.9, 0.95, 0.99]) if st.boot_f.size
                    else [np.nan] * 3)
            rows.append({"k": st.k, "ssr": st.ssr, "f_stat": st.f_stat,
                         "p_value": st.p_value, "n_boot": int(st.boot_f.size),
                         "crit10": crit[0], "crit5": crit[1], "crit1": crit[2]})
        return pd.DataFrame(rows)

    def coefficients_frame(self) -> pd.DataFrame:
        """One row per coefficient (base regressors, then regime slopes)."""
        return pd.DataFrame({
            "model": f"{self.dependent} threshold({len(self.thresholds)})",
            "term": list(self.params.index),
            "estimate": self.params.to_numpy(float),
            "std_error": self.std_errors.to_numpy(float),
            "t_stat": (self.params / self.std_errors).to_numpy(float),
            "p_value": self.pvalues.to_numpy(float),
        })


def _prepare(
    df: pd.DataFrame, dependent: str, regime_var: str, threshold_var: str,
    regressors: list[str], entity: str, time: str, convention: Convention,
    grid: np.ndarray,
) -> _Prepared:
    used = list(dict.fromkeys([dependent, regime_var, threshold_var, *regressors, entity,
                               time]))
    missing = [c for c in used if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, used].dropna().sort_values([entity, time])
    if data.duplicated(subset=[entity, time]).any():
        raise ValueError(f"({entity}, {time}) does not identify rows")
    codes, levels = pd.factorize(data[entity], sort=True)
    n = len(levels)
    within = _within_op(codes, n)
    y = data[dependent].to_numpy(float)
    x = data[list(regressors)].to_numpy(float)
    c = data[regime_var].to_numpy(float)
    q = data[threshold_var].to_numpy(float)
    keep = np.ones(len(data), bool)
    if convention == "hansen":
        last = np.r_[codes[1:] != codes[:-1], True]
        keep = ~last
    counts = np.bincount(codes[keep], minlength=n)
    balanced_t = int(counts[0]) if counts.min() == counts.max() else None
    yw = within(y)[keep]
    base = within(np.column_stack([x, c]))[keep]
    lower = _indicator(q, grid, convention)
    gcols = within(c[:, None] * lower)[keep]
    below = lower.sum(axis=0)
    return _Prepared(yw, base, gcols, x, c, q, keep, codes[keep], within, n, balanced_t,
                     below)


def _ols_cov(x: np.ndarray, e: np.ndarray, kind: ThresholdCov, clusters: np.ndarray,
             df_extra: int) -> np.ndarray:
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    if kind == "unadjusted":
        return xtx_inv * float(e @ e) / (n - k - df_extra)
    if kind == "robust":
        xe = x * e[:, None]
        return xtx_inv @ (xe.T @ xe) @ xtx_inv
    g = int(clusters.max()) + 1
    scores = np.zeros((g, k))
    np.add.at(scores, clusters, x * e[:, None])
    scale = g / (g - 1) * (n - 1) / (n - k)
    return scale * xtx_inv @ (scores.T @ scores) @ xtx_inv


def fit_threshold(
    df: pd.DataFrame,
    dependent: str,
    regime_var: str,
    threshold_var: str,
    regressors: list[str],
    entity: str,
    time: str,
    n_thresholds: int = 1,
    convention: Convention = "hansen",
    trim: float = 0.01,
    grid_step: float = 0.0025,
    n_boot: int = 300,
    seed: int = 1999,
    level: float = 0.95,
    cov: ThresholdCov = "robust",
) -> ThresholdResult:
    """Estimate 1..3 thresholds sequentially with bootstrap tests (module docstring)."""
    if n_thresholds not in (1, 2, 3):
        raise ValueError("n_thresholds must be 1, 2 or 3")
    if convention not in ("hansen", "xthreg"):
        raise ValueError("convention must be 'hansen' or 'xthreg'")
    q_all = df[threshold_var].to_numpy(float)
    grid = hansen_grid(q_all[~np.isnan(q_all)], trim, grid_step)
    grid = np.unique(grid)
    prep = _prepare(df, dependent, regime_var, threshold_var, list(regressors), entity,
                    time, convention, grid)
    n_obs = prep.y.size
    sigma_div = n_obs  # n(T-1) under "hansen" (rows kept), nT under "xthreg"
    crit = lr_critical_value(level)

    q0, _ = np.linalg.qr(prep.base)
    e0 = prep.y - q0 @ (q0.T @ prep.y)
    r0 = prep.grid_cols - q0 @ (q0.T @ prep.grid_cols)
    st0 = _state(r0, e0)
    ssr0 = float(e0 @ e0)

    def lr_of(curve: np.ndarray, smin: float, sigma2: float) -> np.ndarray:
        return (curve - smin) / sigma2

    def ci_of(lr: np.ndarray) -> tuple[float, float]:
        inside = grid[np.isfinite(lr) & (lr <= crit)]
        return (float(inside.min()), float(inside.max())) if inside.size else (np.nan, np.nan)

    # Point estimates, sequentially. Each step records (grid index, LR curve) pairs.
    min_count = int(np.ceil(trim * prep.q.size - 1e-9))

    def adm(*chosen: int) -> np.ndarray:
        return _admissible(prep.below, chosen, min_count)

    curve1 = _ssr_curve(st0, adm())
    j1 = int(np.argmin(curve1))
    s1 = float(curve1[j1])
    found: list[list[tuple[int, np.ndarray]]] = [[(j1, lr_of(curve1, s1, s1 / sigma_div))]]
    ssr_by_k = [ssr0, s1]
    if n_thresholds >= 2:
        curve2 = _ssr_curve(_add(st0, j1), adm(j1))
        j2 = int(np.argmin(curve2))
        curve1r = _ssr_curve(_add(st0, j2), adm(j2))  # refinement of the first threshold
        j1r = int(np.argmin(curve1r))
        s2 = float(curve1r[j1r])
        curve2r = _ssr_curve(_add(st0, j1r), adm(j1r))
        sig2 = s2 / sigma_div
        found.append([(j1r, lr_of(curve1r, s2, sig2)),
                      (j2, lr_of(curve2r, float(curve2r[j2]), sig2))])
        ssr_by_k.append(s2)
    if n_thresholds == 3:
        pair = [j for j, _ in found[1]]
        curve3 = _ssr_curve(_add(_add(st0, pair[0]), pair[1]), adm(*pair))
        j3 = int(np.argmin(curve3))
        s3 = float(curve3[j3])
        found.append([*found[1], (j3, lr_of(curve3, s3, s3 / sigma_div))])
        ssr_by_k.append(s3)

    # Bootstrap each F_k under the (k - 1)-threshold null.
    rng = np.random.default_rng(seed)
    steps = []
    for k in range(1, n_thresholds + 1):
        s_null, s_alt = ssr_by_k[k - 1], ssr_by_k[k]
        f_stat = (s_null - s_alt) / (s_alt / sigma_div)
        null_idx = [j for j, _ in found[k - 2]] if k > 1 else []
        boot = np.empty(0)
        if n_boot > 0:
            boot = _bootstrap_f(prep, st0, k, null_idx, rng, n_boot, sigma_div, min_count)
        p = float(np.mean(boot >= f_stat)) if boot.size else float("nan")
        pairs = sorted(found[k - 1], key=lambda jl: grid[jl[0]])
        steps.append(ThresholdStep(
            k=k, thresholds=[float(grid[j]) for j, _ in pairs], ssr=s_alt,
            f_stat=float(f_stat), p_value=p, ci=[ci_of(lr) for _, lr in pairs], boot_f=boot,
        ))
    lr_curves = [lr for _, lr in sorted(found[-1], key=lambda jl: grid[jl[0]])]

    # Final regime coefficients.
    gam = np.array(steps[-1].thresholds)
    ind = _indicator(prep.q, gam, convention)  # (N, K) lower-regime indicators
    regimes = [ind[:, 0]]
    for i in range(1, gam.size):
        regimes.append(ind[:, i] & ~ind[:, i - 1])
    regimes.append(~ind[:, -1])
    reg_cols = np.column_stack([prep.c * r for r in regimes])
    design_raw = np.column_stack([prep.raw_x, reg_cols])
    design = prep.within(design_raw)[prep.keep]
    coef, *_ = np.linalg.lstsq(design, prep.y, rcond=None)
    e = prep.y - design @ coef
    v = _ols_cov(design, e, cov, prep.codes_kept, prep.n_entities if cov == "unadjusted" else 0)
    names = [*regressors] + [f"{regime_var}_regime{i + 1}" for i in range(len(regimes))]
    params = pd.Series(coef, index=names)
    se = pd.Series(np.sqrt(np.diag(v)), index=names)
    pvals = pd.Series(2 * stats.norm.sf(np.abs(coef / se.to_numpy())), index=names)
    return ThresholdResult(
        dependent=dependent, regime_var=regime_var, threshold_var=threshold_var,
        convention=convention, steps=steps, ssr_linear=ssr0, grid=grid,
        lr_curves=lr_curves, params=params, std_errors=se, pvalues=pvals,
        nobs=n_obs, n_entities=prep.n_entities, cov_type=cov,
    )


def _bootstrap_f(
    prep: _Prepared, st0: _SearchState, k: int, null_idx: list[int],
    rng: np.random.Generator, n_boot: int, sigma_div: int, min_count: int,
) -> np.ndarray:
    """Bootstrap draws of F_k under the model with the thresholds `null_idx`.

    Draws are grouped by the thresholds they select at each stage, so a group shares
    one residualized grid; the tree is walked depth-first to keep at most k grids in
    memory.
    """
    if prep.balanced_t is None:
        raise ValueError("the residual bootstrap needs a balanced panel")
    t_len, n = prep.balanced_t, prep.n_entities
    st_null = st0
    for j in null_idx:
        st_null = _add(st_null, j)
    resid = st_null.resid
    fitted = prep.y - resid
    blocks = resid.reshape(n, t_len)
    draw = rng.integers(0, n, size=(n_boot, n))
    ystar = fitted[:, None] + blocks[draw].reshape(n_boot, n * t_len).T  # (n_obs, B)
    q0 = np.linalg.qr(prep.base)[0]
    e_star = ystar - q0 @ (q0.T @ ystar)
    f_out = np.empty(n_boot)

    def walk(key: tuple[int, ...], members: np.ndarray, st: _SearchState,
             ssr_prev: np.ndarray, step: int) -> None:
        curve = _ssr_curve(st, _admissible(prep.below, key, min_count))
        best = np.argmin(curve, axis=0)
        ssr_new = curve[best, np.arange(members.size)]
        if step == k:
            f_out[members] = (ssr_prev - ssr_new) / (ssr_new / sigma_div)
            return
        for j in np.unique(best):
            sel = best == j
            r = st.grid_res[:, j].copy()
            sub = st.resid[:, sel]
            res = sub - np.outer(r, (r @ sub) / float(r @ r))
            walk((*key, int(j)), members[sel], _state(_resid_on(st.grid_res, r), res),
                 ssr_new[sel], step + 1)

    walk((), np.arange(n_boot), _SearchState(st0.grid_res, st0.den, e_star),
         np.einsum("ij,ij->j", e_star, e_star), 1)
    return f_out
