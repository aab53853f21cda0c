"""Fixed-effects (and pooled) panel regression with Stata-equivalent errors.

`fit_panel_ols` wraps :class:`linearmodels.PanelOLS` and returns a `PanelResult`
whose numbers are the ones Stata prints, so a table made here can be set beside one
made in Stata:

    fit_panel_ols(df, "y", ["x"], "id", "year")                   xtreg y x, fe vce(cluster id)
    fit_panel_ols(df, "y", ["x"], "id", "year", time_effects=True)
                                        xtreg y x i.year, fe vce(cluster id)
                                        (and reghdfe y x, absorb(id year) vce(cluster id))
    fit_panel_ols(df, "y", ["x"])                                 regress y x, vce(robust)

Defaults (the same in every estimator of the library): entity fixed effects when an
entity column is given, no time effects (``time_effects=True`` adds them), and errors
clustered by entity (``cov=None`` means ``"clustered_entity"`` when there is an entity
column and ``"robust"`` (HC1) when there is none). ``PanelResult.summary()`` prints
which model was run.

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

Stata ``xtreg, fe`` statistics (``PanelResult.xtreg``, an `XtregStats`, for every model
with entity effects; [XT] xtreg, Methods and formulas). xb includes the year dummies
when there are time effects, as they are regressors of ``xtreg y x i.year, fe``:

* ``intercept`` (``_cons``) = ybar - xbar'b over the estimation sample, with its
  standard error, t and p-value under the model's covariance (the constant of the
  regression of y_it - ybar_i + ybar on x_it - xbar_i + xbar);
* ``sigma_e`` = sqrt(SSR / (N - n - k - (T - 1))), the root MSE of the within
  regression; ``sigma_u`` the standard deviation (n - 1 divisor) of the n estimated
  u_i = ybar_i - xbar_i'b - _cons; ``rho`` = sigma_u² / (sigma_u² + sigma_e²);
* ``r2_within`` = corr((x_it - xbar_i) b, y_it - ybar_i)², ``r2_between`` =
  corr(xbar_i b, ybar_i)² over the n entities, ``r2_overall`` = corr(x_it b, y_it)²;
  ``corr_u_xb`` = corr(u_i, x_it b) over the observations;
* ``f_effects``: the F test that all u_i = 0, ((SSR_pooled - SSR) / (n - 1)) /
  (SSR / (N - n - k - (T - 1))), SSR_pooled from OLS with the same regressors (and year
  dummies) without entity effects. Stata prints it only with the conventional
  covariance; it is computed here whatever ``cov`` is.

On Grunfeld (``xtreg invest mvalue kstock, fe``) these reproduce Stata's printed
output to its printed digits (tests/unit/test_models_xtreg_stats.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from linearmodels import PanelOLS
from linearmodels.panel.utility import AbsorbingEffectError
from scipy import stats

from models_py.covariance import COV_TYPES, CovType

# Names of the helper columns added to the design; chosen so they cannot clash with
# a warehouse column name.
_CONST = "__const__"
_TIME_PREFIX = "__time__"


@dataclass(frozen=True)
class XtregStats:
    """What Stata's ``xtreg, fe`` prints besides the slopes (module docstring)."""

    intercept: float
    intercept_se: float
    intercept_t: float
    intercept_p: float
    sigma_u: float
    sigma_e: float
    rho: float
    r2_within: float
    r2_between: float
    r2_overall: float
    corr_u_xb: float
    f_effects: float
    f_effects_df: tuple[int, int]
    f_effects_pvalue: float

    def frame(self) -> pd.DataFrame:
        """One row per statistic: statistic, value."""
        values = {
            "_cons": self.intercept,
            "_cons_se": self.intercept_se,
            "sigma_u": self.sigma_u,
            "sigma_e": self.sigma_e,
            "rho": self.rho,
            "r2_within_xtreg": self.r2_within,
            "r2_between_xtreg": self.r2_between,
            "r2_overall_xtreg": self.r2_overall,
            "corr_u_xb": self.corr_u_xb,
            "f_effects": self.f_effects,
            "f_effects_pvalue": self.f_effects_pvalue,
        }
        return pd.DataFrame({"statistic": list(values), "value": list(values.values())})


_COV_TEXT = {
    "unadjusted": "conventional (homoskedastic)",
    "robust": "heteroskedasticity-robust (HC1)",
    "clustered_entity": "clustered by entity",
    "clustered_twoway": "clustered by entity and time (Cameron-Gelbach-Miller)",
}


def model_description(entity_effects: bool, time_effects: bool) -> str:
    """'entity fixed effects', 'entity and time fixed effects', ... or 'pooled OLS'."""
    if entity_effects and time_effects:
        return "two-way fixed effects (entity and time)"
    if entity_effects:
        return "entity fixed effects"
    if time_effects:
        return "time fixed effects only"
    return "pooled OLS"


def _fmt(value: float, digits: int = 4) -> str:
    if value is None or value != value:
        return "."
    return f"{value:.{digits}g}" if abs(value) >= 1e5 or 0 < abs(value) < 1e-3 else (
        f"{value:.{digits}f}")


def coefficient_lines(terms: list[str], params: pd.Series, se: pd.Series, stat: pd.Series,
                      p: pd.Series, low: pd.Series, high: pd.Series, stat_name: str) -> list[str]:
    """The coefficient block of a summary, one line per term."""
    width = max([12, *(len(str(t)) for t in terms)])
    p_name = f"P>|{stat_name}|"
    head = (f"{'':<{width}} {'coef':>11} {'std.err.':>11} {stat_name:>8} {p_name:>7}"
            f" {'[95% conf. interval]':>24}")
    lines = [head, "-" * len(head)]
    for t in terms:
        lines.append(
            f"{str(t):<{width}} {params[t]:>11.6g} {se[t]:>11.6g} {stat[t]:>8.2f} {p[t]:>7.3f}"
            f" {low[t]:>11.6g} {high[t]:>12.6g}"
        )
    return lines


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
    entity: str | None = None
    time: str | None = None
    xtreg: XtregStats | None = None
    intercept: float = float("nan")
    intercept_se: float = float("nan")
    dep_mean: float = float("nan")  # mean of the dependent variable on the rows used

    @property
    def model_description(self) -> str:
        """Which model was run, in words ("entity fixed effects", "pooled OLS", ...)."""
        return model_description(self.entity_effects, self.time_effects)

    def _header(self, title: str) -> list[str]:
        groups = (f"{self.n_entities} {self.entity}" if self.entity else "none (no entity column)")
        cov = _COV_TEXT.get(self.cov_type, self.cov_type)
        if self.cov_type == "clustered_entity" and self.entity:
            cov = f"clustered by {self.entity} ({self.n_entities} clusters)"
        df_text = "" if self.df_resid is None else f"; t on {self.df_resid} df"
        return [
            title,
            f"Model:        {self.model_description}",
            f"Dependent:    {self.dependent}",
            f"Covariance:   {cov}{df_text}",
            f"N:            {self.nobs}",
            f"Groups:       {groups}",
            f"Periods:      {self.n_periods if self.time else '-'}"
            + (f" ({self.time})" if self.time else ""),
        ]

    def summary(self) -> str:
        """The model that was run (effects, covariance, N, groups), the coefficients, the
        fit statistics and, with entity effects, what Stata's ``xtreg, fe`` prints."""
        lines = self._header(f"Panel regression: {self.name}")
        terms = list(self.params.index)
        xt = self.xtreg
        rows = coefficient_lines(terms, self.params, self.std_errors, self.tstats,
                                 self.pvalues, self.conf_low, self.conf_high, "t")
        if self.intercept == self.intercept and self.df_resid is not None:
            t_cons = self.intercept / self.intercept_se
            half = stats.t.ppf(0.975, self.df_resid) * self.intercept_se
            one = {"_cons": self.intercept}
            rows += coefficient_lines(
                ["_cons"], pd.Series(one), pd.Series({"_cons": self.intercept_se}),
                pd.Series({"_cons": t_cons}),
                pd.Series({"_cons": 2.0 * stats.t.sf(abs(t_cons), self.df_resid)}),
                pd.Series({"_cons": self.intercept - half}),
                pd.Series({"_cons": self.intercept + half}), "t")[2:]
        lines += ["", *rows, ""]
        lines.append(f"F({len(terms)}, {self.df_resid}) = {_fmt(self.f_stat, 2)}, "
                     f"p = {_fmt(self.f_pvalue, 4)} (all slopes zero)")
        if xt is None and (self.entity_effects or self.time_effects):
            lines.append(f"R² = {_fmt(self.r2_overall)} (with the fixed effects); "
                         f"within R² = {_fmt(self.r2_within)}")
        elif xt is None:
            lines.append(f"R² = {_fmt(self.r2_overall)}; adjusted R² = {_fmt(self.adj_r2)}")
        else:
            lines += [
                f"R² (xtreg): within = {_fmt(xt.r2_within)}, between = {_fmt(xt.r2_between)},"
                f" overall = {_fmt(xt.r2_overall)}",
                f"R² (reghdfe): within = {_fmt(self.r2_within)}, "
                f"with the fixed effects = {_fmt(self.r2_overall)}",
                f"sigma_u = {_fmt(xt.sigma_u)}, sigma_e = {_fmt(xt.sigma_e)}, "
                f"rho = {_fmt(xt.rho)} (fraction of variance due to u_i); "
                f"corr(u_i, Xb) = {_fmt(xt.corr_u_xb)}",
                f"F test that all u_i = 0: F({xt.f_effects_df[0]}, {xt.f_effects_df[1]}) = "
                f"{_fmt(xt.f_effects, 2)}, p = {_fmt(xt.f_effects_pvalue, 4)}",
            ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

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
        """One row per fit statistic: model, statistic, value (the ``xtreg, fe``
        statistics are in ``self.xtreg.frame()``)."""
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


def resolve_defaults(
    entity: str | None,
    time: str | None,
    entity_effects: bool | None,
    time_effects: bool,
    cov: str | None,
) -> tuple[bool, str]:
    """The library's defaults: entity effects iff there is an entity column; errors
    clustered by entity when there is one, HC1-robust otherwise. Returns
    (entity_effects, cov) and checks the options fit the columns given."""
    if entity_effects is None:
        entity_effects = entity is not None
    if cov is None:
        cov = "clustered_entity" if entity is not None else "robust"
    if cov not in COV_TYPES:
        raise ValueError(f"cov must be one of {COV_TYPES}, got {cov!r}")
    if entity is None and (entity_effects or cov in ("clustered_entity", "clustered_twoway")):
        raise ValueError(
            f"entity effects and cov={cov!r} need an entity column (entity=...)"
        )
    if time is None and (time_effects or cov == "clustered_twoway"):
        raise ValueError("time effects and two-way clustering need a time column (time=...)")
    return bool(entity_effects), cov


def fit_panel_ols(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str | None = None,
    time: str | None = None,
    entity_effects: bool | None = None,
    time_effects: bool = False,
    cov: CovType | None = None,
    name: str | None = None,
) -> PanelResult:
    """Fit y = x b + a_entity (+ g_time) + e by OLS on a (possibly unbalanced) panel.

    Defaults: ``fit_panel_ols(df, y, xs, entity, time)`` is Stata's
    ``xtreg y xs, fe vce(cluster entity)``: entity fixed effects, no time effects,
    errors clustered by entity. ``time_effects=True`` adds year effects (``xtreg y xs
    i.year, fe``); ``entity_effects=False`` drops the entity effects; without `entity`
    and `time` the model is pooled OLS with HC1-robust errors (``regress y xs,
    vce(robust)``). ``print(result)`` shows which model was run.

    Rows with a missing value in `dependent`, `regressors`, `entity` or `time` are
    dropped; ``nobs`` counts the rows used. A constant is always in the model (it is
    absorbed by the entity effects when they are present, and reported as Stata's
    ``_cons`` in ``result.xtreg``), so ``entity_effects=False, time_effects=False`` is
    pooled OLS with an intercept.

    See the module docstring for the covariance options, the small-sample
    correction and the fit statistics.

    Raises:
        ValueError: a column is missing, `regressors` is empty or contains
            `dependent`, `cov` is unknown or needs a column that was not given,
            (entity, time) pairs are not unique, a regressor is collinear with the fixed
            effects or the other regressors, or too few observations remain.
    """
    entity_effects, cov = resolve_defaults(entity, time, entity_effects, time_effects, cov)
    regressors = list(regressors)
    if not regressors:
        raise ValueError("regressors must name at least one column")
    if dependent in regressors:
        raise ValueError(f"dependent variable {dependent!r} is also listed as a regressor")
    if len(set(regressors)) != len(regressors):
        raise ValueError(f"regressors contain duplicates: {regressors}")
    keys = [c for c in (entity, time) if c is not None]
    used = [dependent, *regressors, *keys]
    missing_cols = [c for c in dict.fromkeys(used) if c not in df.columns]
    if missing_cols:
        raise ValueError(f"columns not in the data: {missing_cols}")
    if entity is not None and entity == time:
        raise ValueError("entity and time must be different columns")

    data = df.loc[:, list(dict.fromkeys(used))].dropna()
    if len(keys) == 2:
        dup = data.duplicated(subset=keys, keep=False)
        if dup.any():
            examples = data.loc[dup, keys].drop_duplicates().head(5)
            pairs = list(examples.itertuples(index=False, name=None))
            raise ValueError(
                f"(entity, time) = ({entity!r}, {time!r}) does not identify rows: "
                f"{int(dup.sum())} rows share a pair, e.g. {pairs}"
            )

    nobs = len(data)
    if entity is not None:
        entity_codes, entity_levels = pd.factorize(data[entity], sort=True)
        n_entities = len(entity_levels)
    else:  # no panel structure: every row its own unit (only for pooled models)
        entity_codes, n_entities = np.arange(nobs), 0
    if time is not None:
        time_codes, time_levels = pd.factorize(data[time], sort=True)
        n_periods = len(time_levels)
    else:  # a running number within the entity keeps the index unique
        time_codes = (pd.Series(entity_codes).groupby(entity_codes).cumcount().to_numpy()
                      if entity is not None else np.zeros(nobs, dtype=np.int64))
        n_periods = 0
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

    n_codes = max(n_entities, int(entity_codes.max()) + 1 if nobs else 0)
    # Collinearity with the effects or among regressors would make (X'X) singular;
    # PanelOLS detects only absorption by its own effects, so check the whole design.
    x_within = _absorb(x, entity_codes, n_codes, time_dummies, entity_effects)
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
    cov_full = res.cov.astype(float)
    cov_mat = cov_full.loc[regressors, regressors]
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
        np.sum(_absorb(y_col, entity_codes, n_codes, time_dummies, entity_effects) ** 2)
    )
    tss = float(np.sum((y - y.mean()) ** 2))
    r2_within = 1.0 - ssr / tss_within if tss_within > 0 else float("nan")
    r2_overall = 1.0 - ssr / tss if tss > 0 else float("nan")
    adj_r2 = 1.0 - (1.0 - r2_within) * (nobs - df_a) / (nobs - df_a - k)

    xtreg = None
    if entity_effects:
        xtreg = _xtreg_stats(
            y, exog, res, ssr, entity_codes, n_entities, df_resid, k + (
                0 if time_dummies is None else time_dummies.shape[1]),
        )

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
        entity=entity,
        time=time,
        xtreg=xtreg,
        intercept=float(res.params[_CONST]),
        intercept_se=float(np.sqrt(cov_full.loc[_CONST, _CONST])),
        dep_mean=float(y.mean()),
    )


def _sq_corr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1] ** 2)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _xtreg_stats(
    y: np.ndarray,
    exog: pd.DataFrame,
    res: object,
    ssr: float,
    entity_codes: np.ndarray,
    n_entities: int,
    t_df: int,
    k_slopes: int,
) -> XtregStats:
    """Stata's ``xtreg, fe`` statistics (module docstring) from a fit with entity effects.

    `exog` holds the regressors, the constant and the year dummies; `k_slopes` counts
    the regressors and year dummies (Stata's k); `t_df` is the model's df for t."""
    names = [c for c in exog.columns if c != _CONST]
    x = exog[names].to_numpy(dtype=float)
    b = res.params[names].to_numpy(dtype=float)  # type: ignore[attr-defined]
    nobs = y.size
    xb = x @ b
    counts = np.bincount(entity_codes, minlength=n_entities).astype(float)
    y_bar_i = np.bincount(entity_codes, weights=y, minlength=n_entities) / counts
    xb_bar_i = np.bincount(entity_codes, weights=xb, minlength=n_entities) / counts
    cons = float(y.mean() - xb.mean())
    cons_se = float(np.sqrt(res.cov.loc[_CONST, _CONST]))  # type: ignore[attr-defined]
    cons_t = cons / cons_se if cons_se > 0 else float("nan")
    cons_p = float(2.0 * stats.t.sf(abs(cons_t), t_df)) if cons_t == cons_t else float("nan")
    u_i = y_bar_i - xb_bar_i - cons
    df_e = nobs - n_entities - k_slopes
    sigma_e = float(np.sqrt(ssr / df_e)) if df_e > 0 else float("nan")
    sigma_u = float(np.std(u_i, ddof=1)) if n_entities > 1 else float("nan")
    rho = sigma_u**2 / (sigma_u**2 + sigma_e**2)
    # Pooled OLS with the same regressors (and year dummies) and an intercept.
    design = np.column_stack([np.ones(nobs), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    ssr_pooled = float(np.sum((y - design @ coef) ** 2))
    df1 = n_entities - 1
    if df1 > 0 and df_e > 0 and ssr > 0:
        f_u = ((ssr_pooled - ssr) / df1) / (ssr / df_e)
        f_u_p = float(stats.f.sf(f_u, df1, df_e))
    else:
        f_u, f_u_p = float("nan"), float("nan")
    return XtregStats(
        intercept=cons,
        intercept_se=cons_se,
        intercept_t=cons_t,
        intercept_p=cons_p,
        sigma_u=sigma_u,
        sigma_e=sigma_e,
        rho=float(rho),
        r2_within=_sq_corr(xb - xb_bar_i[entity_codes], y - y_bar_i[entity_codes]),
        r2_between=_sq_corr(xb_bar_i, y_bar_i),
        r2_overall=_sq_corr(xb, y),
        corr_u_xb=_corr(u_i[entity_codes], xb),
        f_effects=float(f_u),
        f_effects_df=(int(df1), int(df_e)),
        f_effects_pvalue=f_u_p,
    )
