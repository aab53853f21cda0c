"""Quadratic (U / inverted-U) effects and the Lind-Mehlum (2010) test (paper 003's
"nonlinear" effect of the digital economy).

Model: y = b1 x + b2 x^2 + controls + FE, fitted by `fit_panel_ols`. The slope at x is
s(x) = b1 + 2 b2 x with variance V11 + 4 x^2 V22 + 4 x V12. A U shape on [x_lo, x_hi]
needs s(x_lo) < 0 < s(x_hi) (an inverted U the reverse). Lind and Mehlum (2010,
Oxford Bull. Econ. Stat. 72(1)) test H0: monotone or the opposite shape, against it,
by the intersection-union statistic

    T = min(-s(x_lo) / se(x_lo), s(x_hi) / se(x_hi))     (U shape; signs flipped for
                                                          an inverted U)

with p = P(t_df > T), df the regression's residual degrees of freedom (Stata
``utest``). A significant b2 alone does not establish a U shape. The turning point
-b1 / (2 b2) is reported with a delta-method standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from models_py.panel import CovType, PanelResult, fit_panel_ols
from models_py.stat_tests import StatTest, tests_frame


@dataclass(frozen=True)
class UShapeResult:
    """Quadratic fit, the Lind-Mehlum test and the turning point."""

    model: PanelResult
    shape: str
    test: StatTest
    slope_lo: float
    slope_hi: float
    x_lo: float
    x_hi: float
    turning_point: float
    turning_point_se: float

    def tests_frame(self) -> pd.DataFrame:
        return tests_frame([self.test])

    def summary(self) -> str:
        """The quadratic model (effects, covariance, N, groups), the Lind-Mehlum test and
        the turning point."""
        t = self.test
        return "\n".join([
            self.model.summary(), "",
            f"Shape: {self.shape}; slope {self.slope_lo:.4g} at x = {self.x_lo:.4g}, "
            f"{self.slope_hi:.4g} at x = {self.x_hi:.4g}",
            f"{t.test}: t = {t.statistic:.4g}, p = {t.p_value:.4g}",
            f"Turning point {self.turning_point:.4g} (se {self.turning_point_se:.4g})",
        ])

    def __str__(self) -> str:
        return self.summary()

    def coefficients_frame(self) -> pd.DataFrame:
        return self.model.coefficients_frame()

    def stats_frame(self) -> pd.DataFrame:
        """Slopes at the interval ends and the turning point."""
        values = {"x_lo": self.x_lo, "x_hi": self.x_hi, "slope_lo": self.slope_lo,
                  "slope_hi": self.slope_hi, "turning_point": self.turning_point,
                  "turning_point_se": self.turning_point_se}
        return pd.DataFrame({"model": self.model.name, "statistic": list(values),
                             "value": list(values.values())})


def lind_mehlum(
    result: PanelResult, linear: str, square: str, x_lo: float, x_hi: float
) -> UShapeResult:
    """Lind-Mehlum test on a fitted model with terms `linear` (x) and `square` (x^2)."""
    if result.cov is None:
        raise ValueError("the result carries no covariance matrix")
    b1, b2 = float(result.params[linear]), float(result.params[square])
    v = result.cov.loc[[linear, square], [linear, square]].to_numpy(float)

    def slope(x: float) -> tuple[float, float]:
        s = b1 + 2 * b2 * x
        var = v[0, 0] + 4 * x**2 * v[1, 1] + 4 * x * v[0, 1]
        return s, float(np.sqrt(var))

    s_lo, se_lo = slope(x_lo)
    s_hi, se_hi = slope(x_hi)
    shape = "U" if b2 > 0 else "inverted U"
    sign = 1.0 if b2 > 0 else -1.0
    t_stat = min(-sign * s_lo / se_lo, sign * s_hi / se_hi)
    df_r = result.df_resid if result.df_resid is not None else np.inf
    p = float(stats.t.sf(t_stat, df_r))
    tp = -b1 / (2 * b2)
    grad = np.array([-1 / (2 * b2), b1 / (2 * b2**2)])
    tp_se = float(np.sqrt(grad @ v @ grad))
    return UShapeResult(
        model=result, shape=shape,
        test=StatTest(
            test=f"Lind-Mehlum ({shape})", statistic=t_stat, p_value=p, distribution="t",
            df=str(df_r), null=f"monotone or not {shape} on [{x_lo:g}, {x_hi:g}]",
            model=result.name,
        ),
        slope_lo=s_lo, slope_hi=s_hi, x_lo=x_lo, x_hi=x_hi, turning_point=tp,
        turning_point_se=tp_se,
    )


def fit_quadratic(
    df: pd.DataFrame,
    dependent: str,
    x: str,
    controls: list[str],
    entity: str,
    time: str,
    entity_effects: bool = True,
    time_effects: bool = False,
    cov: CovType = "clustered_entity",
    x_range: tuple[float, float] | None = None,
    name: str | None = None,
) -> UShapeResult:
    """Fit y on x and x^2 (named ``x + "_sq"``) and run the Lind-Mehlum test on
    `x_range` (default: the observed range of x in the estimation sample)."""
    square = f"{x}_sq"
    data = df.assign(**{square: df[x] ** 2})
    res = fit_panel_ols(data, dependent, [x, square, *controls], entity, time,
                        entity_effects, time_effects, cov, name=name)
    used = data.dropna(subset=[dependent, x, *controls, entity, time])
    lo, hi = x_range if x_range is not None else (float(used[x].min()), float(used[x].max()))
    return lind_mehlum(res, x, square, lo, hi)
