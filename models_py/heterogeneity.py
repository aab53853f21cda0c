"""Heterogeneity: regressions by group and the pooled interaction model with a Wald
test of equal coefficients across groups (paper 000 Tables 11-12; paper 002 sec. 4.4,
East/Central/West and the two sides of the Hu line).

`by_group` fits the same panel model on each group's rows.

`interaction_model` fits one model on all rows in which the core regressor's slope
differs by group:

    y = b_base x + sum_{g != base} d_g (x * 1[group = g]) + controls + FE [+ group dummies]

so ``d_g`` is group g's slope minus the base group's (the "X x region" terms the
papers print), and H0: d_g = 0 for all g is the test of equal slopes: Wald
W = d' V_d^-1 d with the model's covariance (entity-clustered by default), reported
as F = W / q on (q, df_resid) degrees of freedom, q = G - 1 (Stata's ``test`` after
``xtreg``/``reghdfe``). With ``interact_controls=True`` the controls are interacted
too and a second, Chow-type test covers all the interaction terms. Group main effects
(dummies) enter unless the group is constant within every entity and entity effects
absorb it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from models_py.panel import CovType, PanelResult, fit_panel_ols
from models_py.stat_tests import StatTest, tests_frame


def _safe(label: object) -> str:
    return str(label).replace(" ", "_")


def by_group(
    df: pd.DataFrame,
    group: str,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = False,
    cov: CovType = "clustered_entity",
) -> dict[object, PanelResult]:
    """One fit per value of `group` (sorted), named ``"<group>=<value>"``."""
    if group not in df.columns:
        raise ValueError(f"column not in the data: {group!r}")
    out: dict[object, PanelResult] = {}
    for value, sub in df.groupby(group, sort=True):
        out[value] = fit_panel_ols(
            sub, dependent, list(regressors), entity, time, entity_effects,
            time_effects, cov, name=f"{group}={value}",
        )
    return out


def wald_test(result: PanelResult, terms: list[str], name: str) -> StatTest:
    """Wald test that the coefficients `terms` are jointly zero, F form with the
    result's denominator degrees of freedom."""
    if result.cov is None:
        raise ValueError("the result carries no covariance matrix")
    b = result.params[terms].to_numpy(float)
    v = result.cov.loc[terms, terms].to_numpy(float)
    w = float(b @ np.linalg.solve(v, b))
    q = len(terms)
    f = w / q
    df_r = result.df_resid if result.df_resid is not None else np.inf
    return StatTest(
        test=name,
        statistic=f,
        p_value=float(stats.f.sf(f, q, df_r)),
        distribution="F",
        df=f"{q}, {df_r}",
        null=f"{', '.join(terms)} = 0",
        model=result.name,
    )


@dataclass(frozen=True)
class InteractionResult:
    """The pooled interaction model, the slope of each group and the equality tests."""

    model: PanelResult
    slopes: pd.DataFrame
    tests: list[StatTest]

    def coefficients_frame(self) -> pd.DataFrame:
        return self.model.coefficients_frame()

    def slopes_frame(self) -> pd.DataFrame:
        """One row per group: group, slope of the core regressor, its std. error, p."""
        return self.slopes.copy()

    def tests_frame(self) -> pd.DataFrame:
        return tests_frame(self.tests)

    def summary(self) -> str:
        """The interaction model (effects, covariance, N, groups), the slope of each group
        and the tests of equal slopes."""
        tests = [f"{t.test}: {t.distribution}({t.df}) = {t.statistic:.4g}, p = {t.p_value:.4g}"
                 for t in self.tests]
        return "\n".join([self.model.summary(), "", "Slopes by group:",
                          self.slopes.to_string(index=False), "", *tests])

    def __str__(self) -> str:
        return self.summary()


def interaction_model(
    df: pd.DataFrame,
    group: str,
    dependent: str,
    core: str,
    controls: list[str],
    entity: str,
    time: str,
    base: object | None = None,
    interact_controls: bool = False,
    entity_effects: bool = True,
    time_effects: bool = False,
    cov: CovType = "clustered_entity",
    name: str | None = None,
) -> InteractionResult:
    """Pooled model with core x group interactions and the test of equal slopes."""
    controls = list(controls)
    cols = list(dict.fromkeys([dependent, core, *controls, group, entity, time]))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, cols].dropna().copy()
    levels = sorted(data[group].unique().tolist())
    if len(levels) < 2:
        raise ValueError(f"{group!r} has fewer than two groups")
    base = levels[0] if base is None else base
    if base not in levels:
        raise ValueError(f"base group {base!r} not among {levels}")
    others = [g for g in levels if g != base]

    interacted = [core, *controls] if interact_controls else [core]
    terms_by_var: dict[str, list[str]] = {}
    for var in interacted:
        terms_by_var[var] = []
        for g in others:
            col = f"{var}_x_{group}_{_safe(g)}"
            data[col] = data[var] * (data[group] == g)
            terms_by_var[var].append(col)
    varies_within = data.groupby(entity)[group].nunique().max() > 1
    dummies = []
    if not entity_effects or varies_within:
        for g in others:
            col = f"{group}_{_safe(g)}"
            data[col] = (data[group] == g).astype(float)
            dummies.append(col)
    regressors = [core, *terms_by_var[core], *controls, *dummies]
    for var in interacted[1:]:
        regressors += terms_by_var[var]
    res = fit_panel_ols(
        data, dependent, regressors, entity, time, entity_effects, time_effects, cov,
        name=name or f"{dependent} by {group}",
    )
    tests = [wald_test(res, terms_by_var[core], f"equal {core} slopes across {group}")]
    if interact_controls:
        all_terms = [t for var in interacted for t in terms_by_var[var]]
        tests.append(wald_test(res, all_terms, f"Chow: equal slopes across {group}"))

    rows = []
    cov_m = res.cov
    assert cov_m is not None
    df_r = res.df_resid if res.df_resid is not None else np.inf
    for g in levels:
        if g == base:
            est = float(res.params[core])
            var = float(cov_m.loc[core, core])
        else:
            term = terms_by_var[core][others.index(g)]
            est = float(res.params[core] + res.params[term])
            var = float(cov_m.loc[core, core] + cov_m.loc[term, term]
                        + 2 * cov_m.loc[core, term])
        se = float(np.sqrt(var))
        rows.append({"group": g, "slope": est, "std_error": se,
                     "p_value": float(2 * stats.t.sf(abs(est / se), df_r))})
    return InteractionResult(model=res, slopes=pd.DataFrame(rows), tests=tests)
