"""Random-effects (Swamy-Arora GLS) panel regression, as Stata ``xtreg, re`` and R
``plm(model = "random")`` report it.

y_it = a + x_it b + u_i + e_it is estimated by OLS on the quasi-demeaned data
y_it - theta_i ybar_i, with theta_i = 1 - sqrt(s2_e / (T_i s2_u + s2_e)), where
(Swamy and Arora 1972; Baltagi 2013, sec. 2.3):

* s2_e = SSR_within / (N - n - k)  from the entity fixed-effects regression,
* s2_u = SSR_between / (n - k - 1) - s2_e / Tbar  from the regression on entity
  means (Tbar the harmonic mean of T_i), truncated at 0.

The estimation is delegated to :class:`linearmodels.RandomEffects`, whose
variance components are exactly these; on the Grunfeld data they reproduce
Baltagi (2013) Table 2.1 / plm to 1e-6 (see the unit tests). On unbalanced panels
Stata's ``xtreg, re`` uses the Baltagi-Chang (1994) small-sample adjustment of
s2_u; the estimates here then differ slightly from Stata's (they match plm's
``random.method = "swar"`` on balanced data only as well).

Inference is asymptotic, as in Stata and plm: z statistics, normal p-values and
confidence intervals, and a Wald chi2(k) test that all slopes are zero.
R² as Stata defines them (squared correlations, with b the slope estimates):
within corr((x - xbar_i) b, y - ybar_i)², between corr(xbar_i b, ybar_i)²,
overall corr(x b, y)². ``r2_gls`` is the R² of the quasi-demeaned regression, the
one plm and linearmodels print.

Covariance: ``"clustered_entity"`` (the default, as for every estimator of the
library: the cluster sandwich on the quasi-demeaned data, scaled by G / (G - 1) as
Stata's ``xtreg, re vce(cluster id)`` does) or ``"unadjusted"`` (the GLS covariance
s2_e (X*'X*)^-1, Stata's and plm's default; the Hausman test needs it). Time effects
are off by default (``time_effects=True`` adds year dummies), as in `fit_panel_ols`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from linearmodels import RandomEffects
from scipy import stats

from models_py.panel import PanelResult, coefficient_lines

RECovType = Literal["unadjusted", "clustered_entity"]
CONST = "const"


@dataclass(frozen=True, eq=False)
class RandomEffectsResult(PanelResult):
    """A `PanelResult` whose ``params`` include the intercept (``"const"``) and whose
    tests are asymptotic; ``f_stat`` / ``adj_r2`` are NaN (Stata prints Wald chi2)."""

    r2_between: float = float("nan")
    r2_gls: float = float("nan")
    wald_chi2: float = float("nan")
    wald_pvalue: float = float("nan")
    sigma2_u: float = float("nan")
    sigma2_e: float = float("nan")
    theta: float = float("nan")

    @property
    def model_description(self) -> str:
        years = " with year dummies" if self.time_effects else ""
        return f"random effects (Swamy-Arora GLS){years}"

    def summary(self) -> str:
        """The model that was run (effects, covariance, N, groups), the coefficients with
        z statistics, and what Stata's ``xtreg, re`` prints below them."""
        lines = self._header(f"Panel regression: {self.name}")
        terms = list(self.params.index)
        lines += ["", *coefficient_lines(terms, self.params, self.std_errors, self.tstats,
                                         self.pvalues, self.conf_low, self.conf_high, "z"), ""]
        rho = self.sigma2_u / (self.sigma2_u + self.sigma2_e)
        lines += [
            f"Wald chi2({len(terms) - 1}) = {self.wald_chi2:.2f}, p = {self.wald_pvalue:.4g} "
            "(all slopes zero)",
            f"R²: within = {self.r2_within:.4f}, between = {self.r2_between:.4f}, "
            f"overall = {self.r2_overall:.4f}",
            f"sigma_u = {np.sqrt(self.sigma2_u):.4f}, sigma_e = {np.sqrt(self.sigma2_e):.4f}, "
            f"rho = {rho:.4f} (fraction of variance due to u_i); theta = {self.theta:.4f}",
        ]
        return "\n".join(lines)

    def stats_frame(self) -> pd.DataFrame:
        """One row per fit statistic, including the variance components."""
        base = super().stats_frame()
        base = base[~base["statistic"].isin(["adj_r2", "f_stat", "f_pvalue"])]
        extra = {
            "r2_between": self.r2_between,
            "r2_gls": self.r2_gls,
            "wald_chi2": self.wald_chi2,
            "wald_pvalue": self.wald_pvalue,
            "sigma2_u": self.sigma2_u,
            "sigma2_e": self.sigma2_e,
            "rho": self.sigma2_u / (self.sigma2_u + self.sigma2_e),
            "theta": self.theta,
        }
        more = pd.DataFrame(
            {"model": self.name, "statistic": list(extra), "value": list(extra.values())}
        )
        return pd.concat([base, more], ignore_index=True)


def _sq_corr(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1] ** 2)


def fit_random_effects(
    df: pd.DataFrame,
    dependent: str,
    regressors: list[str],
    entity: str,
    time: str,
    time_effects: bool = False,
    cov: RECovType = "clustered_entity",
    name: str | None = None,
) -> RandomEffectsResult:
    """Swamy-Arora random-effects GLS (see the module docstring).

    Defaults as `fit_panel_ols`: no time effects, errors clustered by entity
    (``xtreg y x, re vce(cluster id)``); ``cov="unadjusted"`` gives Stata's and plm's
    default covariance.

    ``time_effects=True`` adds year dummies (base = first year) as regressors; they
    are estimated but not reported, as ``xtreg y x i.year, re`` users drop them from
    their tables.
    """
    if cov not in ("unadjusted", "clustered_entity"):
        raise ValueError(f"cov must be 'unadjusted' or 'clustered_entity', got {cov!r}")
    regressors = list(regressors)
    used = list(dict.fromkeys([dependent, *regressors, entity, time]))
    missing = [c for c in used if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    if CONST in regressors:
        raise ValueError(f"{CONST!r} is reserved for the intercept")
    data = df.loc[:, used].dropna()
    if data.duplicated(subset=[entity, time]).any():
        raise ValueError(f"({entity}, {time}) does not identify rows")
    ent_codes, ent_levels = pd.factorize(data[entity], sort=True)
    time_codes, time_levels = pd.factorize(data[time], sort=True)
    index = pd.MultiIndex.from_arrays([ent_codes, time_codes], names=["entity", "time"])
    exog = pd.DataFrame(data[regressors].to_numpy(float), index=index, columns=regressors)
    exog.insert(0, CONST, 1.0)
    if time_effects:
        for j in range(1, len(time_levels)):
            exog[f"__time__{j}"] = (time_codes == j).astype(float)
    endog = pd.Series(data[dependent].to_numpy(float), index=index, name=dependent)
    model = RandomEffects(endog, exog)
    if cov == "unadjusted":
        res = model.fit(cov_type="unadjusted")
    else:
        res = model.fit(cov_type="clustered", cluster_entity=True, group_debias=True,
                        debiased=False)
    terms = [CONST, *regressors]
    params = res.params[terms].astype(float)
    cov_mat = res.cov.loc[terms, terms].astype(float)
    se = pd.Series(np.sqrt(np.diag(cov_mat.to_numpy())), index=terms)
    if cov == "clustered_entity":
        # linearmodels' group_debias scales by G / (G - 1) * (N - 1) / N; Stata's
        # xtreg, re vce(cluster) uses G / (G - 1) alone, so undo the (N - 1) / N.
        nobs_ = len(data)
        cov_mat = cov_mat * (nobs_ / (nobs_ - 1))
        se = se * np.sqrt(nobs_ / (nobs_ - 1))
    z = params / se
    pvals = pd.Series(2 * stats.norm.sf(np.abs(z.to_numpy())), index=terms)
    half = stats.norm.ppf(0.975) * se
    b = params[regressors].to_numpy()
    v = cov_mat.loc[regressors, regressors].to_numpy()
    wald = float(b @ np.linalg.solve(v, b))

    y = data[dependent].to_numpy(float)
    x = data[regressors].to_numpy(float)
    xb = x @ b
    ent_mean = pd.DataFrame({"y": y, "xb": xb}).groupby(ent_codes).transform("mean").to_numpy()
    means = pd.DataFrame({"y": y, "xb": xb}).groupby(ent_codes).mean().to_numpy()
    vd = res.variance_decomposition
    theta = res.theta.to_numpy(dtype=float).ravel()
    return RandomEffectsResult(
        name=name if name is not None else dependent,
        dependent=dependent,
        params=params.rename("estimate"),
        std_errors=se.rename("std_error"),
        tstats=z.rename("t_stat"),
        pvalues=pvals.rename("p_value"),
        conf_low=(params - half).rename("conf_low"),
        conf_high=(params + half).rename("conf_high"),
        nobs=len(data),
        n_entities=len(ent_levels),
        n_periods=len(time_levels),
        r2_within=_sq_corr(xb - ent_mean[:, 1], y - ent_mean[:, 0]),
        r2_overall=_sq_corr(xb, y),
        adj_r2=float("nan"),
        f_stat=float("nan"),
        f_pvalue=float("nan"),
        cov_type=cov,
        entity_effects=False,
        time_effects=time_effects,
        df_resid=None,
        cov=cov_mat,
        entity=entity,
        time=time,
        r2_between=_sq_corr(means[:, 1], means[:, 0]),
        r2_gls=float(res.rsquared),
        wald_chi2=wald,
        wald_pvalue=float(stats.chi2.sf(wald, len(regressors))),
        sigma2_u=float(vd["Effects"]),
        sigma2_e=float(vd["Residual"]),
        theta=float(np.mean(theta)),
    )
