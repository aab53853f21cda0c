"""Fixed-effects residuals of a study's model, for the Fisher-ADF test of the residual
series that paper 000 (Tables 4-5) reports before the Kao test.

The LSDV residual e_it = y_it - a_i [- g_t] - x_it b equals the residual of the
within-transformed regression (Frisch-Waugh-Lovell): e = W y - (W x) b with W the
projection that removes the fixed effects and b the fixed-effects slopes, so it is
computed from `fit_panel_ols`'s slopes and the same absorption `models_py.panel` uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_py.panel import _absorb, fit_panel_ols


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
    """Frame (entity, time, `name`) of the fixed-effects residuals on the complete rows."""
    cols = list(dict.fromkeys([dependent, *regressors, entity, time]))
    data = df.loc[:, cols].dropna().reset_index(drop=True)
    fit = fit_panel_ols(data, dependent, list(regressors), entity, time, entity_effects,
                        time_effects, cov="unadjusted")
    codes, levels = pd.factorize(data[entity], sort=True)
    tcodes, tlevels = pd.factorize(data[time], sort=True)
    dummies = None
    if time_effects and len(tlevels) > 1:
        dummies = np.zeros((len(data), len(tlevels) - 1))
        rows = np.flatnonzero(tcodes > 0)
        dummies[rows, tcodes[rows] - 1] = 1.0
    values = data[[dependent, *regressors]].to_numpy(float)
    swept = _absorb(values, codes, len(levels), dummies, entity_effects)
    resid = swept[:, 0] - swept[:, 1:] @ fit.params[list(regressors)].to_numpy(float)
    return pd.DataFrame({entity: data[entity], time: data[time], name: resid})
