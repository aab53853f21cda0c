"""Two-way fixed-effects panel regression with Stata-equivalent clustered errors.

`fit_panel_ols` wraps :class:`linearmodels.PanelOLS` and returns a `PanelResult`
whose numbers are the ones Stata prints for

    xtreg y x i.year, fe vce(cluster id)        (and reghdfe y x, absorb(id year) vce(cluster id))

so a table made here can be set beside one made in Stata.

Small-sample correction (``cov="clustered_entity"``, the default)
-----------------------------------------------------------------
Stata scales the cluster sandwich by

    q = G / (G - 1) * (N - 1) / (N - K)

with G the number of clusters, N the observations and K the parameters that are
not absorbed by a fixed effect nested in the clusters: the slope regressors, the
intercept, and the T - 1 year dummies when there are year effects
(K = k + T; K = k + 1 with entity effects only). The N_e entity effects are not
counted because each lies inside one cluster ([XT] xtreg, Methods and Formulas;
Cameron and Miller 2015, J. Human Resources 50(2);
reghdfe's ``reghdfe_cluster`` in reghdfe_common.mata).

linearmodels has no fit option that produces this K when both effects are
absorbed: ``PanelOLS(..., entity_effects=True, time_effects=True)`` counts either
every effect (N_e + T - 1, with ``count_effects=True``, which is what ``auto_df``
chooses for two effects) or none (``auto_df=False, count_effects=False``, giving
K = k). What reproduces Stata exactly is to estimate the model the way xtreg does:
the year effects enter as T - 1 dummies plus a constant, only the entity effect is
absorbed, and

    PanelOLS(y, [x, const, year dummies], entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, group_debias=True,
        debiased=True, auto_df=True)

Then ``auto_df`` sees a single effect nested in the clusters and sets
``extra_df = 0``; ``debiased=True`` gives N / (N - k - T) and ``group_debias=True``
gives G / (G - 1) * (N - 1) / N, whose product is Stata's q. The slope estimates are
the two-way within estimates (Frisch-Waugh-Lovell). The unit tests rebuild this
covariance by hand with numpy (to 1e-8 relative) and reproduce, on the Grunfeld data,
the standard errors and F statistics gretl prints with Stata's adjustment (quoted in
plm's tests/test_pwaldtest.R).

reghdfe: versions that list the year FE as "20 categories, 1 redundant" after a
nested entity FE use K = k + T - 1, one less than xtreg; the standard errors then
differ by a factor sqrt((N - k - T + 1) / (N - k - T)), about 1 + 1/(2N) (2e-4 at
N = 3000). xtreg's K is used here. Unlike reghdfe, singleton entities are kept
(as xtreg does); they add to N but not to the cluster sums.

Other covariance options (all with the same regressor layout):

* ``"unadjusted"``: s^2 (X'X)^-1 with s^2 = SSR / (N - k - df_a), df_a = every
  fixed-effect parameter including the intercept (N_e + T - 1 for two-way effects):
  xtreg, fe / reghdfe without vce().
* ``"robust"``: HC1 with the same N / (N - k - df_a): areg, robust and
  reghdfe, vce(robust). (Stata's ``xtreg, fe vce(robust)`` is the entity-clustered
  estimator, i.e. ``"clustered_entity"`` here.)
* ``"clustered_twoway"``: Cameron, Gelbach and Miller (2011) two-way clustering by
  entity and time, V = V_entity + V_time - V_entity-time, as linearmodels computes it
  with ``cluster_entity=True, cluster_time=True, group_debias=True``: each component
  is scaled by its own G_j / (G_j - 1) * (N - 1) / N and all N_e + T - 1 effects
  count in K. This is more conservative than reghdfe's ``vce(cluster id year)``,
  which applies min(G) / (min(G) - 1) once and does not count nested effects.

Inference: t statistics use the t distribution with ``df_resid`` degrees of freedom,
G - 1 for entity clustering and min(G_entity, G_time) - 1 for two-way clustering
(Stata's e(df_r)), N - k - df_a otherwise. The F statistic is the Wald test that all
slope coefficients are zero, W / k with W = b' V^-1 b, on (k, df_resid) degrees of
freedom, as reghdfe reports it.

Fit statistics follow reghdfe's definitions:

* ``r2_within``: 1 - SSR / TSS_within, TSS_within the sum of squares of y after the
  included fixed effects are absorbed (reghdfe's "Within R-sq."). With year effects
  this is below xtreg's within R², which also credits the year dummies.
* ``adj_r2``: adjusted within R², 1 - (1 - r2_within) (N - df_a) / (N - df_a - k).
* ``r2_overall``: 1 - SSR / TSS, the R² of the whole model with the fixed effects
  (reghdfe's "R-squared"; the R² of the dummy-variable regression). This is not
  xtreg's corr(xb, y)² "overall" R².
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from linearmodels import PanelOLS
from linearmodels.panel.utility import AbsorbingEffectError
from scipy import stats

CovType = Literal["unadjusted", "robust", "clustered_entity", "clustered_twoway"]
COV_TYPES: tuple[str, ...] = ("unadjusted", "robust", "clustered_entity", "clustered_twoway")

# Names of the helper columns added to the design; chosen so they cannot clash with
# a warehouse column name.
_CONST = "__const__"
_TIME_PREFIX = "__time__"


@dataclass(frozen=True, eq=False)
class PanelResult:
    """Estimates of one panel regression, slope coefficients only.

    ``params`` and the other Series are indexed by regressor name, in the order the
    regressors were given; the intercept and the fixed effects are not reported.
    ``df_resid`` is the denominator degrees of freedom used for t, F and the
    confidence intervals (95 %); ``cov`` the covariance of the slope estimates.
    """

    name: str
    dependent: str
    params: pd.Series
    std_errors: pd.Series
    tstats: pd.Series
    pvalues: pd.Series
    conf_low: pd.Series
    conf_high: pd.Series
    nobs: int
    n_entities: int
    n_periods: int
    r2_within: float
    r2_overall: float
    adj_r2: float
    f_stat: float
    f_pvalue: float
    cov_type: str
    entity_effects: bool
    time_effects: bool
    df_resid: int | None = None
    cov: pd.DataFrame | None = None

    def coefficients_frame(self) -> pd.DataFrame:
        """One row per coefficient: model, term, estimate, std_error, t_stat, p_value, CI."""
        return pd.DataFrame(
            {
                "model": self.name,
                "term": list(self.params.index),
                "estimate": self.params.to_numpy(dtype=float),
                "std_error": self.std_errors.to_numpy(dtype=float),
                "t_stat": self.tstats.to_numpy(dtype=float),
                "p_value": self.pvalues.to_numpy(dtype=float),
                "conf_low": self.conf_low.to_numpy(dtype=float),
                "conf_high": self.conf_high.to_numpy(dtype=float),
            }
        )

    def stats_frame(self) -> pd.DataFrame:
        """One row per fit statistic: model, statistic, value."""
        values = {
            "nobs": self.nobs,
            "n_entities": self.n_entities,
            "n_periods": self.n_periods,
            "r2_within": self.r2_within,
            "r2_overall": self.r2_overall,
            "adj_r2": self.adj_r2,
            "f_stat": self.f_stat,
            "f_pvalue": self.f_pvalue,
        }
        return pd.DataFrame(
            {
                "model": self.name,
                "statistic": list(values),
                "value": [float(v) for v in values.values()],
            }
        )


def _demean_by(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Subtract group means (rows of a 2-d array) for integer group codes 0..n_groups-1."""
    counts = np.bincount(codes, minlength=n_groups).astype(float)
    sums = np.zeros((n_groups, values.shape[1]))
    np.add.at(sums, codes, values)
    return values - (sums / counts[:, None])[codes]


def _absorb(
    values: np.ndarray,
    entity_codes: np.ndarray,
    n_entities: int,
    time_dummies: np.ndarray | None,
    entity_effects: bool,
) -> np.ndarray:
    """Residuals of `values` on the fixed effects (entity dummies and/or time dummies).

    By Frisch-Waugh-Lovell: sweep the entity means (or the grand mean), then project
    out the swept time dummies. Exact on unbalanced panels.
    """
    if entity_effects:
        swept = _demean_by(values, entity_codes, n_entities)
        dummies = (
            None if time_dummies is None else _demean_by(time_dummies, entity_codes, n_entities)
        )
    else:
        swept = values - values.mean(axis=0)
        dummies = None if time_dummies is None else time_dummies - time_dummies.mean(axis=0)
    if dummies is not None and dummies.shape[1] > 0:
        coef, *_ = np.linalg.lstsq(dummies, swept, rcond=None)
        swept = swept - dummies @ coef
    return swept


def fit_panel_ols(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = True,
    cov: CovType = "clustered_entity",
    name: str | None = None,
) -> PanelResult:
    """Fit y = x b + a_entity + g_time + e by OLS on a (possibly unbalanced) panel.

    Rows with a missing value in `dependent`, `regressors`, `entity` or `time` are
    dropped; ``nobs`` counts the rows used. A constant is always in the model (it is
    absorbed by the entity effects when they are present), so ``entity_effects=False,
    time_effects=False`` is pooled OLS with an intercept.

    See the module docstring for the covariance options, the small-sample
    correction and the fit statistics.

    Raises:
        ValueError: a column is missing, `regressors` is empty or contains
            `dependent`, `cov` is unknown, (entity, time) pairs are not unique, a
            regressor is collinear with the fixed effects or the other regressors, or
            too few observations remain.
    """
    if cov not in COV_TYPES:
        raise ValueError(f"cov must be one of {COV_TYPES}, got {cov!r}")
    regressors = list(regressors)
    if not regressors:
        raise ValueError("regressors must name at least one column")
    if dependent in regressors:
        raise ValueError(f"dependent variable {dependent!r} is also listed as a regressor")
    if len(set(regressors)) != len(regressors):
        raise ValueError(f"regressors contain duplicates: {regressors}")
    used = [dependent, *regressors, entity, time]
    missing_cols = [c for c in dict.fromkeys(used) if c not in df.columns]
    if missing_cols:
        raise ValueError(f"columns not in the data: {missing_cols}")
    if entity == time:
        raise ValueError("entity and time must be different columns")

    data = df.loc[:, list(dict.fromkeys(used))].dropna()
    dup = data.duplicated(subset=[entity, time], keep=False)
    if dup.any():
        examples = data.loc[dup, [entity, time]].drop_duplicates().head(5)
        pairs = list(examples.itertuples(index=False, name=None))
        raise ValueError(
            f"(entity, time) = ({entity!r}, {time!r}) does not identify rows: "
            f"{int(dup.sum())} rows share a pair, e.g. {pairs}"
        )

    nobs = len(data)
    entity_codes, entity_levels = pd.factorize(data[entity], sort=True)
    time_codes, time_levels = pd.factorize(data[time], sort=True)
    n_entities, n_periods = len(entity_levels), len(time_levels)
    k = len(regressors)

    y = data[dependent].to_numpy(dtype=float)
    x = data[regressors].to_numpy(dtype=float)
    infinite = [
        c
        for c, ok in zip(
            [dependent, *regressors],
            np.isfinite(np.column_stack([y, x])).all(axis=0),
            strict=True,
        )
        if not ok
    ]
    if infinite:
        raise ValueError(f"columns hold infinite values: {infinite}")
    time_dummies: np.ndarray | None = None
    if time_effects and n_periods > 1:
        # Drop the first period: with the constant it is the base year.
        time_dummies = np.zeros((nobs, n_periods - 1))
        rows = np.flatnonzero(time_codes > 0)
        time_dummies[rows, time_codes[rows] - 1] = 1.0

    # Parameters the fixed effects and intercept use, counted as reghdfe's df_a.
    df_a = 1
    if entity_effects:
        df_a += n_entities - 1
    if time_effects:
        df_a += n_periods - 1
    if nobs - df_a - k <= 0:
        raise ValueError(
            f"{nobs} observations are too few for {k} regressors and {df_a} fixed-effect parameters"
        )

    # Collinearity with the effects or among regressors would make (X'X) singular;
    # PanelOLS detects only absorption by its own effects, so check the whole design.
    x_within = _absorb(x, entity_codes, n_entities, time_dummies, entity_effects)
    # Scale each column by its variation before the effects are removed, so the rank
    # test does not depend on the units of the regressors.
    spread = np.sqrt(np.sum((x - x.mean(axis=0)) ** 2, axis=0))
    spread[spread == 0] = 1.0
    x_scaled = x_within / spread
    if np.linalg.matrix_rank(x_scaled, tol=1e-9) < k:
        flat = [
            r for r, v in zip(regressors, np.abs(x_scaled).max(axis=0), strict=True) if v <= 1e-9
        ]
        detail = f" ({flat} do not vary once the effects are removed)" if flat else ""
        raise ValueError(
            "regressors are collinear with the fixed effects or with each other" + detail
        )

    index = pd.MultiIndex.from_arrays(
        [entity_codes, time_codes.astype(np.int64)], names=["entity", "time"]
    )
    exog = pd.DataFrame(x, index=index, columns=regressors)
    exog[_CONST] = 1.0
    if time_dummies is not None:
        for j in range(time_dummies.shape[1]):
            exog[f"{_TIME_PREFIX}{j + 1}"] = time_dummies[:, j]
    endog = pd.Series(y, index=index, name=dependent)

    model = PanelOLS(endog, exog, entity_effects=entity_effects, time_effects=False)
    fit_kwargs: dict[str, object] = {"debiased": True}
    if cov == "unadjusted":
        fit_kwargs["cov_type"] = "unadjusted"
    elif cov == "robust":
        fit_kwargs["cov_type"] = "robust"
    elif cov == "clustered_entity":
        fit_kwargs.update(cov_type="clustered", cluster_entity=True, group_debias=True)
    else:
        fit_kwargs.update(
            cov_type="clustered", cluster_entity=True, cluster_time=True, group_debias=True
        )
    try:
        res = model.fit(**fit_kwargs)
    except AbsorbingEffectError as exc:  # the rank check above should catch this first
        raise ValueError(str(exc)) from exc

    params = res.params[regressors].astype(float)
    cov_mat = res.cov.loc[regressors, regressors].astype(float)
    std_errors = pd.Series(np.sqrt(np.diag(cov_mat.to_numpy())), index=regressors)

    if cov == "clustered_entity":
        df_resid = n_entities - 1
    elif cov == "clustered_twoway":
        df_resid = min(n_entities, n_periods) - 1
    else:
        df_resid = nobs - k - df_a
    if df_resid <= 0:
        raise ValueError(f"no degrees of freedom left for inference (df = {df_resid})")

    tstats = params / std_errors
    pvalues = pd.Series(2.0 * stats.t.sf(np.abs(tstats.to_numpy()), df_resid), index=regressors)
    half = stats.t.ppf(0.975, df_resid) * std_errors

    b = params.to_numpy()
    try:
        wald = float(b @ np.linalg.solve(cov_mat.to_numpy(), b))
        f_stat = wald / k
        f_pvalue = float(stats.f.sf(f_stat, k, df_resid))
    except np.linalg.LinAlgError:
        # Fewer clusters than regressors leaves V singular; Stata reports F as missing.
        f_stat, f_pvalue = float("nan"), float("nan")

    ssr = float(res.resid_ss)
    y_col = y[:, None]
    tss_within = float(
        np.sum(_absorb(y_col, entity_codes, n_entities, time_dummies, entity_effects) ** 2)
    )
    tss = float(np.sum((y - y.mean()) ** 2))
    r2_within = 1.0 - ssr / tss_within if tss_within > 0 else float("nan")
    r2_overall = 1.0 - ssr / tss if tss > 0 else float("nan")
    adj_r2 = 1.0 - (1.0 - r2_within) * (nobs - df_a) / (nobs - df_a - k)

    return PanelResult(
        name=name if name is not None else dependent,
        dependent=dependent,
        params=params.rename("estimate"),
        std_errors=std_errors.rename("std_error"),
        tstats=tstats.rename("t_stat"),
        pvalues=pvalues.rename("p_value"),
        conf_low=(params - half).rename("conf_low"),
        conf_high=(params + half).rename("conf_high"),
        nobs=nobs,
        n_entities=n_entities,
        n_periods=n_periods,
        r2_within=r2_within,
        r2_overall=r2_overall,
        adj_r2=adj_r2,
        f_stat=f_stat,
        f_pvalue=f_pvalue,
        cov_type=cov,
        entity_effects=entity_effects,
        time_effects=time_effects,
        df_resid=df_resid,
        cov=cov_mat,
    )
