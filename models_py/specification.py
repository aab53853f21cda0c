"""Specification tests of panel models: pooled vs fixed effects (F), pooled vs random
effects (Breusch-Pagan LM), fixed vs random effects (Hausman, with the per-coefficient
comparison of EViews' "Cross-section random effects test comparisons", paper 000
Table 9), and heteroskedasticity (Breusch-Pagan / White auxiliary regressions, and
the modified Wald test for groupwise heteroskedasticity of Stata's ``xttest3``).

Formulas (n entities, N observations, k slope regressors, T_i periods of entity i):

* F test of no entity effects (Baltagi 2013, eq. 2.12; plm ``pFtest``; linearmodels'
  ``f_pooled``): F = ((SSR_pooled - SSR_FE) / (n - 1)) / (SSR_FE / (N - n - k - k_t)),
  k_t = T - 1 year dummies when ``time_effects`` (then both models carry them).
* Breusch-Pagan (1980) LM for var(u_i) = 0, from pooled OLS residuals e, in the
  unbalanced form of Baltagi and Li (1990):
  LM = (sum T_i)^2 / (2 sum T_i (T_i - 1)) * (sum_i (sum_t e_it)^2 / sum e_it^2 - 1)^2,
  chi2(1) (plm ``plmtest(type = "bp")``). Stata's ``xttest0`` reports the same
  statistic against the one-sided chibar2(01) mixture: half the chi2(1) p-value, and
  statistic 0 (p = 1) when the bracket is negative; both are returned.
* Hausman (1978): H = d' (V_FE - V_RE)^-1 d, d = b_FE - b_RE over the common slopes,
  with each model's classical covariance (plm ``phtest``, Stata ``hausman fe re``,
  EViews). If V_FE - V_RE is not positive definite the Moore-Penrose inverse is
  used and df is its rank (as Stata does). Per coefficient: Var(diff) = V_FE,jj -
  V_RE,jj and p = P(chi2(1) > d_j^2 / Var(diff)); NaN where Var(diff) <= 0.
* Modified Wald (Greene 2000, p. 598; Baum 2001, Stata J. 1(1), ``xttest3``) on the
  fixed-effects residuals: s2_i = mean_t e_it^2, s2 = mean of all e_it^2,
  V_i = sum_t (e_it^2 - s2_i)^2 / (T_i (T_i - 1)), W = sum_i (s2_i - s2)^2 / V_i,
  chi2(n). Its size is poor when T is small (V_i is a fourth-moment estimate from
  T_i values): with iid normal errors and 20 entities it rejects a true null at the
  5 % level in about 90 % of samples at T = 10, 33 % at T = 30 and 8 % at T = 300
  (unit-test simulation). Read it as a large-T diagnostic.
* Breusch-Pagan / Koenker (studentized) and White tests: ``statsmodels``'
  ``het_breuschpagan(robust=True)`` and ``het_white`` on the residuals of the chosen
  model, auxiliary regressors the model's regressors (with a constant).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan, het_white

from models_py.panel import PanelResult, _absorb, fit_panel_ols
from models_py.random_effects import fit_random_effects
from models_py.stat_tests import StatTest, tests_frame


@dataclass(frozen=True)
class _Design:
    y: np.ndarray
    x: np.ndarray
    entity_codes: np.ndarray
    n_entities: int
    time_dummies: np.ndarray | None
    keys: pd.DataFrame  # entity and time of the complete rows, in the order of y


def _design(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    time_effects: bool,
) -> _Design:
    used = list(dict.fromkeys([dependent, *regressors, entity, time]))
    missing = [c for c in used if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, used].dropna()
    if data.duplicated(subset=[entity, time]).any():
        raise ValueError(f"({entity}, {time}) does not identify rows")
    ent, ent_levels = pd.factorize(data[entity], sort=True)
    tcode, t_levels = pd.factorize(data[time], sort=True)
    dummies = None
    if time_effects and len(t_levels) > 1:
        dummies = np.zeros((len(data), len(t_levels) - 1))
        rows = np.flatnonzero(tcode > 0)
        dummies[rows, tcode[rows] - 1] = 1.0
    return _Design(
        y=data[dependent].to_numpy(float),
        x=data[list(regressors)].to_numpy(float),
        entity_codes=ent,
        n_entities=len(ent_levels),
        time_dummies=dummies,
        keys=data[[entity, time]].reset_index(drop=True),
    )


def _ols_resid(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return y - x @ coef


def _pooled_resid(d: _Design) -> np.ndarray:
    parts = [np.ones((len(d.y), 1)), d.x]
    if d.time_dummies is not None:
        parts.append(d.time_dummies)
    return _ols_resid(d.y, np.column_stack(parts))


def _within_resid(d: _Design) -> np.ndarray:
    y_w = _absorb(d.y[:, None], d.entity_codes, d.n_entities, d.time_dummies, True)[:, 0]
    x_w = _absorb(d.x, d.entity_codes, d.n_entities, d.time_dummies, True)
    return _ols_resid(y_w, x_w)


def fe_residuals(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = False,
    name: str = "residuals",
) -> pd.DataFrame:
    """Frame (entity, time, `name`) of the model's residuals on the complete rows: the
    fixed-effects (LSDV) residuals, which equal those of the within-transformed regression
    (Frisch-Waugh-Lovell), or the pooled ones without entity effects. Paper 000 (Tables
    4-5) tests these for a unit root before the Kao test."""
    d = _design(df, dependent, list(regressors), entity, time, time_effects)
    e = _within_resid(d) if entity_effects else _pooled_resid(d)
    return d.keys.assign(**{name: e})


@dataclass(frozen=True)
class EffectsFTest:
    """F test of no entity effects, with the two residual sums of squares (paper 000
    Table 7 prints them)."""

    test: StatTest
    ssr_pooled: float
    ssr_fixed: float

    def tests_frame(self) -> pd.DataFrame:
        return tests_frame([self.test])


def f_test_effects(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    time_effects: bool = False,
) -> EffectsFTest:
    """F test that all entity effects are zero (pooled OLS vs fixed effects)."""
    d = _design(df, dependent, list(regressors), entity, time, time_effects)
    nobs, k, n = len(d.y), d.x.shape[1], d.n_entities
    k_t = 0 if d.time_dummies is None else d.time_dummies.shape[1]
    ssr_p = float(np.sum(_pooled_resid(d) ** 2))
    ssr_f = float(np.sum(_within_resid(d) ** 2))
    df1, df2 = n - 1, nobs - n - k - k_t
    f = ((ssr_p - ssr_f) / df1) / (ssr_f / df2)
    return EffectsFTest(
        test=StatTest(
            test="F test of no entity effects",
            statistic=f,
            p_value=float(stats.f.sf(f, df1, df2)),
            distribution="F",
            df=f"{df1}, {df2}",
            null="all entity effects are zero (pooled OLS is adequate)",
            model=dependent,
        ),
        ssr_pooled=ssr_p,
        ssr_fixed=ssr_f,
    )


def breusch_pagan_lm(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    time_effects: bool = False,
) -> list[StatTest]:
    """Breusch-Pagan LM test of no random effects (pooled OLS vs RE): the chi2(1) form
    and Stata ``xttest0``'s one-sided chibar2(01) form (see module doc)."""
    d = _design(df, dependent, list(regressors), entity, time, time_effects)
    e = _pooled_resid(d)
    t_i = np.bincount(d.entity_codes, minlength=d.n_entities).astype(float)
    sums = np.bincount(d.entity_codes, weights=e, minlength=d.n_entities)
    bracket = float(np.sum(sums**2) / np.sum(e**2) - 1.0)
    lm = float(t_i.sum() ** 2 / (2.0 * np.sum(t_i * (t_i - 1.0))) * bracket**2)
    null = "var(u_i) = 0 (no random entity effects)"
    two_sided = StatTest(
        test="Breusch-Pagan LM",
        statistic=lm,
        p_value=float(stats.chi2.sf(lm, 1)),
        distribution="chi2",
        df="1",
        null=null,
        model=dependent,
    )
    chibar = lm if bracket > 0 else 0.0
    one_sided = StatTest(
        test="Breusch-Pagan LM (xttest0)",
        statistic=chibar,
        p_value=float(0.5 * stats.chi2.sf(chibar, 1)) if chibar > 0 else 1.0,
        distribution="chibar2",
        df="01",
        null=null,
        model=dependent,
    )
    return [two_sided, one_sided]


@dataclass(frozen=True)
class HausmanResult:
    """Hausman test with the per-coefficient comparison table."""

    test: StatTest
    comparison: pd.DataFrame

    def tests_frame(self) -> pd.DataFrame:
        return tests_frame([self.test])

    def comparison_frame(self) -> pd.DataFrame:
        """One row per coefficient: term, fixed, random, diff, var_diff, chi2, p_value."""
        return self.comparison.copy()


def hausman(fe: PanelResult, re: PanelResult) -> HausmanResult:
    """Hausman test from a fixed-effects and a random-effects fit (classical covariances
    expected: a robust covariance makes V_FE - V_RE meaningless)."""
    if fe.cov is None or re.cov is None:
        raise ValueError("both results must carry their covariance matrix")
    terms = [t for t in fe.params.index if t in re.params.index]
    if not terms:
        raise ValueError("the two models share no coefficient")
    d = (fe.params[terms] - re.params[terms]).to_numpy(float)
    v = (fe.cov.loc[terms, terms] - re.cov.loc[terms, terms]).to_numpy(float)
    v = (v + v.T) / 2
    eig = np.linalg.eigvalsh(v)
    tol = max(v.shape) * np.finfo(float).eps * max(np.abs(eig).max(), 1e-300)
    rank = int(np.sum(eig > tol))
    # No positive direction in V_FE - V_RE: the statistic is undefined, not a chi2 on 0 df.
    chi2 = (float(d @ np.linalg.pinv(v, rcond=1e-12, hermitian=True) @ d) if rank > 0
            else float("nan"))
    var_diff = np.diag(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat_j = np.where(var_diff > 0, d**2 / var_diff, np.nan)
    p_j = np.where(var_diff > 0, stats.chi2.sf(stat_j, 1), np.nan)
    comparison = pd.DataFrame(
        {
            "term": terms,
            "fixed": fe.params[terms].to_numpy(float),
            "random": re.params[terms].to_numpy(float),
            "diff": d,
            "var_diff": var_diff,
            "chi2": stat_j,
            "p_value": p_j,
        }
    )
    note = "" if rank == len(terms) else " (V_FE - V_RE not positive definite: g-inverse)"
    return HausmanResult(
        test=StatTest(
            test="Hausman" + note,
            statistic=chi2,
            p_value=float(stats.chi2.sf(chi2, rank)) if rank > 0 else float("nan"),
            distribution="chi2",
            df=str(rank),
            null="random effects are consistent (u_i uncorrelated with x)",
            model=fe.name,
        ),
        comparison=comparison,
    )


def hausman_test(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    time_effects: bool = False,
) -> HausmanResult:
    """Fit entity FE and Swamy-Arora RE with classical covariances and compare them."""
    fe = fit_panel_ols(
        df, dependent, list(regressors), entity, time,
        entity_effects=True, time_effects=time_effects, cov="unadjusted",
    )
    re = fit_random_effects(
        df, dependent, list(regressors), entity, time, time_effects=time_effects,
        cov="unadjusted",
    )
    return hausman(fe, re)


def modified_wald(residuals: np.ndarray, entity_codes: np.ndarray) -> StatTest:
    """Modified Wald test for groupwise heteroskedasticity (``xttest3``) from
    fixed-effects residuals; entities with T_i < 2 are skipped (V_i undefined)."""
    e2 = np.asarray(residuals, float) ** 2
    codes = pd.factorize(np.asarray(entity_codes))[0]
    n = codes.max() + 1
    t_i = np.bincount(codes, minlength=n).astype(float)
    s2_i = np.bincount(codes, weights=e2, minlength=n) / t_i
    s2 = e2.mean()
    dev = np.bincount(codes, weights=(e2 - s2_i[codes]) ** 2, minlength=n)
    keep = (t_i > 1) & (dev > 0)
    v_i = dev[keep] / (t_i[keep] * (t_i[keep] - 1.0))
    w = float(np.sum((s2_i[keep] - s2) ** 2 / v_i))
    g = int(keep.sum())
    return StatTest(
        test="Modified Wald (groupwise heteroskedasticity)",
        statistic=w,
        p_value=float(stats.chi2.sf(w, g)),
        distribution="chi2",
        df=str(g),
        null="sigma2_i = sigma2 for all entities",
    )


def heteroskedasticity_tests(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = False,
) -> list[StatTest]:
    """Breusch-Pagan (Koenker), White and, with entity effects, the modified Wald test
    on the residuals of the (pooled or fixed-effects) model."""
    d = _design(df, dependent, list(regressors), entity, time, time_effects)
    e = _within_resid(d) if entity_effects else _pooled_resid(d)
    exog = np.column_stack([np.ones(len(e)), d.x])
    bp_lm, bp_p, bp_f, bp_fp = het_breuschpagan(e, exog, robust=True)
    k = d.x.shape[1]
    out = [
        StatTest("Breusch-Pagan (Koenker) LM", bp_lm, bp_p, "chi2", str(k),
                 "homoskedastic errors", dependent),
        StatTest("Breusch-Pagan (Koenker) F", bp_f, bp_fp, "F", f"{k}, {len(e) - k - 1}",
                 "homoskedastic errors", dependent),
    ]
    w_lm, w_p, _, _ = het_white(e, exog)
    k_white = k + k * (k + 1) // 2
    out.append(StatTest("White LM", w_lm, w_p, "chi2", str(k_white),
                        "homoskedastic errors", dependent))
    if entity_effects:
        mw = modified_wald(e, d.entity_codes)
        out.append(StatTest(mw.test, mw.statistic, mw.p_value, mw.distribution, mw.df,
                            mw.null, dependent))
    return out
