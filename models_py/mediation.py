"""Mediation analysis on a panel: stepwise regressions, Sobel test and a cluster
bootstrap of the indirect effect (paper 002 sec. 4.3; paper 004).

Three regressions with the same fixed effects, controls and covariance (all by
`fit_panel_ols`, with its defaults: entity fixed effects and errors clustered by entity
when an entity column is given, no time effects unless ``time_effects=True``; pooled
OLS with HC1-robust errors and an i.i.d. bootstrap of rows when it is not):

    total:   Y = c  X + controls + FE
    a-path:  M = a  X + controls + FE
    b-path:  Y = c' X + b M + controls + FE

Indirect effect a*b; direct effect c'. In OLS with identical samples and controls,
c = c' + a b exactly (the unit tests check this identity).

Sobel (1982) test: z = a b / sqrt(b^2 se_a^2 + a^2 se_b^2), normal p-value, with the
standard errors of the chosen covariance (entity-clustered by default).

Bootstrap: ``n_boot`` draws (default 1,000) resampling whole entities with replacement
(cluster bootstrap, so the within-entity dependence is kept); in each draw a and b are
re-estimated with the same fixed effects, a duplicated entity counting as a new
entity. Confidence intervals for a*b: percentile, and bias-corrected (Efron 1982,
BC without acceleration): z0 = Phi^-1(share of draws below the estimate),
bounds at the quantiles Phi(2 z0 + z_{alpha/2}) and Phi(2 z0 + z_{1-alpha/2}).

Vectorization: after the entity within-transform (which resampling whole entities
leaves unchanged), every regression in a draw is a function of the weighted sum
sum_i w_i Z_i'Z_i of per-entity cross-product matrices of Z = [Y, M, X, controls,
year dummies], with w_i the number of times entity i is drawn. So one matrix
product W @ vec(Z_i'Z_i) gives all draws' normal equations at once, and a batched
solve gives all a and b. Year effects enter as entity-demeaned year dummies
(Frisch-Waugh-Lovell: the two-way FE slopes), exact on unbalanced panels too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from models_py.panel import (
    CovType,
    PanelResult,
    _demean_by,
    fit_panel_ols,
    resolve_defaults,
)


@dataclass(frozen=True)
class BootstrapDraws:
    """Entity draws (indices into the sorted entity levels) and the a, b they give."""

    indices: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @property
    def indirect(self) -> np.ndarray:
        return self.a * self.b


def percentile_interval(draws: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval."""
    alpha = 1.0 - level
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def bias_corrected_interval(
    draws: np.ndarray, estimate: float, level: float = 0.95
) -> tuple[float, float]:
    """Bias-corrected (BC, no acceleration) bootstrap interval (see module doc)."""
    draws = np.asarray(draws, float)
    share = float(np.mean(draws < estimate))
    if share in (0.0, 1.0):
        return float("nan"), float("nan")
    z0 = stats.norm.ppf(share)
    alpha = 1.0 - level
    q = stats.norm.cdf(2 * z0 + stats.norm.ppf([alpha / 2, 1 - alpha / 2]))
    lo, hi = np.quantile(draws, q)
    return float(lo), float(hi)


def _cross_products(
    data: pd.DataFrame,
    columns: list[str],
    entity: str,
    time: str,
    entity_effects: bool,
    time_effects: bool,
) -> tuple[np.ndarray, list[str]]:
    """Per-entity Z_i'Z_i (n_entities, p, p) of the (entity-demeaned) design."""
    codes, levels = pd.factorize(data[entity], sort=True)
    tcodes, tlevels = pd.factorize(data[time], sort=True)
    n = len(levels)
    z = data[columns].to_numpy(float)
    names = list(columns)
    extra = []
    if not entity_effects:
        extra.append(np.ones((len(data), 1)))
        names.append("__const__")
    if time_effects and len(tlevels) > 1:
        d = np.zeros((len(data), len(tlevels) - 1))
        rows = np.flatnonzero(tcodes > 0)
        d[rows, tcodes[rows] - 1] = 1.0
        extra.append(d)
        names += [f"__time__{j}" for j in range(1, len(tlevels))]
    if extra:
        z = np.column_stack([z, *extra])
    if entity_effects:
        z = _demean_by(z, codes, n)
    p = z.shape[1]
    outer = (z[:, :, None] * z[:, None, :]).reshape(len(z), p * p)
    a = np.zeros((n, p * p))
    np.add.at(a, codes, outer)
    return a.reshape(n, p, p), names


def _batched_coef(c: np.ndarray, rhs: list[int], lhs: int) -> np.ndarray:
    """Coefficients of column `lhs` on columns `rhs` for each stacked cross-product."""
    xx = c[:, rhs][:, :, rhs]
    xy = c[:, rhs, lhs]
    try:
        return np.linalg.solve(xx, xy[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.einsum("bij,bj->bi", np.linalg.pinv(xx), xy)


def cluster_bootstrap_ab(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    mediator: str,
    controls: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = False,
    n_boot: int = 1000,
    seed: int = 20240101,
    chunk: int = 500,
) -> BootstrapDraws:
    """Vectorized entity-resampling bootstrap of the a and b paths (see module doc).

    `data` must hold complete rows only. Draw ``r`` takes the entities
    ``indices[r]`` (positions in the sorted entity levels).
    """
    cols = [outcome, mediator, treatment, *controls]
    a_i, names = _cross_products(data, cols, entity, time, entity_effects, time_effects)
    n, p, _ = a_i.shape
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, n, size=(n_boot, n))
    flat = a_i.reshape(n, p * p)
    rest = list(range(3, p))  # controls, constant, year dummies
    rhs_a = [2, *rest]
    rhs_b = [2, 1, *rest]
    a_out = np.empty(n_boot)
    b_out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        idx = indices[start : start + chunk]
        m = idx.shape[0]
        w = np.zeros((m, n))
        np.add.at(w, (np.repeat(np.arange(m), n), idx.ravel()), 1.0)
        c = (w @ flat).reshape(m, p, p)
        a_out[start : start + m] = _batched_coef(c, rhs_a, 1)[:, 0]
        b_out[start : start + m] = _batched_coef(c, rhs_b, 0)[:, 1]
    return BootstrapDraws(indices=indices, a=a_out, b=b_out)


@dataclass(frozen=True)
class MediationResult:
    """Stepwise regressions, Sobel test and bootstrap intervals of a mediation."""

    total: PanelResult
    a_path: PanelResult
    b_path: PanelResult
    treatment: str
    mediator: str
    sobel_z: float
    sobel_p: float
    draws: BootstrapDraws | None
    level: float

    @property
    def a(self) -> float:
        return float(self.a_path.params[self.treatment])

    @property
    def b(self) -> float:
        return float(self.b_path.params[self.mediator])

    @property
    def indirect(self) -> float:
        return self.a * self.b

    def summary(self) -> str:
        """Which model the three regressions are (effects, covariance, N, groups), the
        effects table and the three regressions."""
        t = self.total
        header = t._header(f"Mediation: {self.treatment} -> {self.mediator} -> {t.dependent}")
        eff = self.effects_frame()
        width = max(len(f"{e} ({m})") for e, m in zip(eff["effect"], eff["method"], strict=True))
        lines = [*header, f"Bootstrap:    {len(self.draws.a) if self.draws else 0} draws"
                 + (" resampling whole entities" if t.entity else " resampling rows"), "",
                 f"{'effect':<{width}} {'estimate':>11} {'std.err.':>11} {'p':>7} "
                 f"{'[' + format(self.level, '.0%') + ' interval]':>24}"]
        def cell(value: float, spec: str, width_: int) -> str:
            return f"{value:>{width_}{spec}}" if value == value else " " * width_

        for row in eff.itertuples(index=False):
            label = f"{row.effect} ({row.method})"
            lines.append(f"{label:<{width}} {cell(row.estimate, '.6g', 11)} "
                         f"{cell(row.std_error, '.6g', 11)} {cell(row.p_value, '.3f', 7)} "
                         f"{cell(row.conf_low, '.6g', 11)} {cell(row.conf_high, '.6g', 12)}"
                         .rstrip())
        for res in (self.total, self.a_path, self.b_path):
            lines += ["", res.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def coefficients_frame(self) -> pd.DataFrame:
        """The three step regressions stacked, one row per coefficient."""
        return pd.concat(
            [r.coefficients_frame() for r in (self.total, self.a_path, self.b_path)],
            ignore_index=True,
        )

    def effects_frame(self) -> pd.DataFrame:
        """One row per effect: total, direct, a, b, indirect (Sobel, percentile and
        bias-corrected bootstrap), proportion mediated."""
        t, x, m = self.total, self.treatment, self.mediator
        se_ab = self.indirect / self.sobel_z if self.sobel_z != 0 else float("nan")
        z975 = stats.norm.ppf(0.5 + self.level / 2)
        rows = [
            ("total", "regression", float(t.params[x]), float(t.std_errors[x]),
             float(t.pvalues[x]), float(t.conf_low[x]), float(t.conf_high[x])),
            ("direct", "regression", float(self.b_path.params[x]),
             float(self.b_path.std_errors[x]), float(self.b_path.pvalues[x]),
             float(self.b_path.conf_low[x]), float(self.b_path.conf_high[x])),
            ("a", "regression", self.a, float(self.a_path.std_errors[x]),
             float(self.a_path.pvalues[x]), float(self.a_path.conf_low[x]),
             float(self.a_path.conf_high[x])),
            ("b", "regression", self.b, float(self.b_path.std_errors[m]),
             float(self.b_path.pvalues[m]), float(self.b_path.conf_low[m]),
             float(self.b_path.conf_high[m])),
            ("indirect", "sobel", self.indirect, se_ab, self.sobel_p,
             self.indirect - z975 * se_ab, self.indirect + z975 * se_ab),
        ]
        if self.draws is not None:
            ind = self.draws.indirect
            se_b = float(np.std(ind, ddof=1))
            lo, hi = percentile_interval(ind, self.level)
            rows.append(("indirect", "bootstrap percentile", self.indirect, se_b,
                         float("nan"), lo, hi))
            lo, hi = bias_corrected_interval(ind, self.indirect, self.level)
            rows.append(("indirect", "bootstrap bias-corrected", self.indirect, se_b,
                         float("nan"), lo, hi))
        total = float(t.params[x])
        share = self.indirect / total if total != 0 else float("nan")
        rows.append(("proportion mediated", "a*b / total", share, float("nan"),
                     float("nan"), float("nan"), float("nan")))
        return pd.DataFrame(
            rows,
            columns=["effect", "method", "estimate", "std_error", "p_value", "conf_low",
                     "conf_high"],
        )


def mediate(
    df: pd.DataFrame,
    outcome: str,
    treatment: str,
    mediator: str,
    controls: list[str] | tuple[str, ...] = (),
    entity: str | None = None,
    time: str | None = None,
    entity_effects: bool | None = None,
    time_effects: bool = False,
    cov: CovType | None = None,
    n_boot: int = 1000,
    seed: int = 20240101,
    level: float = 0.95,
    name: str = "mediation",
) -> MediationResult:
    """Stepwise mediation with Sobel test and cluster bootstrap (``n_boot=0`` skips it).

    The defaults are `fit_panel_ols`'s: with `entity` (and `time`) the three regressions
    have entity fixed effects and errors clustered by entity, and the bootstrap resamples
    whole entities; ``time_effects=True`` adds year effects. Without `entity` and `time`
    they are pooled OLS with HC1-robust errors and the bootstrap resamples rows.

    All steps use the rows complete in every variable, so the three regressions share
    one sample.
    """
    controls = list(controls)
    entity_effects, cov = resolve_defaults(entity, time, entity_effects, time_effects, cov)
    keys = [c for c in (entity, time) if c is not None]
    cols = list(dict.fromkeys([outcome, treatment, mediator, *controls, *keys]))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, cols].dropna().reset_index(drop=True)
    common = dict(entity=entity, time=time, entity_effects=entity_effects,
                  time_effects=time_effects, cov=cov)
    total = fit_panel_ols(data, outcome, [treatment, *controls], name=f"{name}: total",
                          **common)
    a_path = fit_panel_ols(data, mediator, [treatment, *controls], name=f"{name}: a",
                           **common)
    b_path = fit_panel_ols(data, outcome, [treatment, mediator, *controls],
                           name=f"{name}: b", **common)
    a, b = float(a_path.params[treatment]), float(b_path.params[mediator])
    se_a, se_b = float(a_path.std_errors[treatment]), float(b_path.std_errors[mediator])
    sobel_z = a * b / np.sqrt(b**2 * se_a**2 + a**2 * se_b**2)
    sobel_p = float(2 * stats.norm.sf(abs(sobel_z)))
    draws = None
    if n_boot > 0:
        boot_data, boot_entity, boot_time = data, entity, time
        if entity is None or time is None:
            # No panel key: every row is its own cluster (the i.i.d. bootstrap), and a
            # constant period stands in for the missing time column (no time effects).
            boot_data = data.copy()
            if entity is None:
                boot_entity = "__row__"
                boot_data[boot_entity] = np.arange(len(data))
            if time is None:
                boot_time = "__period__"
                boot_data[boot_time] = 0
        draws = cluster_bootstrap_ab(
            boot_data, outcome, treatment, mediator, controls, boot_entity, boot_time,
            entity_effects, time_effects, n_boot, seed,
        )
    return MediationResult(
        total=total, a_path=a_path, b_path=b_path, treatment=treatment, mediator=mediator,
        sobel_z=float(sobel_z), sobel_p=sobel_p, draws=draws, level=level,
    )
