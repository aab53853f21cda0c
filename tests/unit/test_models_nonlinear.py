"""models_py.nonlinear: Lind-Mehlum statistic by hand, and its verdicts on U-shaped
and monotone data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models_py.nonlinear import fit_quadratic


def simulate(seed: int, b1: float, b2: float, n: int = 60, t: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, size=(n, t))
    y = (b1 * x + b2 * x**2 + np.repeat(rng.normal(size=(n, 1)), t, axis=1)
         + np.tile(rng.normal(size=(1, t)), (n, 1)) + 0.5 * rng.normal(size=(n, t)))
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "x": x.ravel(), "y": y.ravel()})


def test_statistic_by_hand_and_turning_point() -> None:
    res = fit_quadratic(simulate(1, -2.0, 1.0), "y", "x", [], "id", "t", time_effects=True)
    b1, b2 = res.model.params["x"], res.model.params["x_sq"]
    v = res.model.cov.to_numpy()
    assert res.shape == "U"
    t_lo = -(b1 + 2 * b2 * res.x_lo) / np.sqrt(v[0, 0] + 4 * res.x_lo**2 * v[1, 1]
                                               + 4 * res.x_lo * v[0, 1])
    t_hi = (b1 + 2 * b2 * res.x_hi) / np.sqrt(v[0, 0] + 4 * res.x_hi**2 * v[1, 1]
                                              + 4 * res.x_hi * v[0, 1])
    assert res.test.statistic == pytest.approx(min(t_lo, t_hi), rel=1e-12)
    assert res.test.p_value == pytest.approx(stats.t.sf(min(t_lo, t_hi),
                                                        res.model.df_resid), rel=1e-12)
    assert res.turning_point == pytest.approx(1.0, abs=0.1)  # true -b1 / (2 b2) = 1
    assert res.test.p_value < 0.01


def test_convex_but_monotone_is_not_a_u_shape() -> None:
    # Slope b1 + 2 b2 x = 0.5 + 0.5 x > 0 on [0, 2]: significant square term, no U.
    res = fit_quadratic(simulate(2, 0.5, 0.25), "y", "x", [], "id", "t", time_effects=True)
    assert res.model.pvalues["x_sq"] < 0.05
    assert res.test.p_value > 0.5


def test_inverted_u() -> None:
    res = fit_quadratic(simulate(3, 2.0, -1.0), "y", "x", [], "id", "t", time_effects=True)
    assert res.shape == "inverted U"
    assert res.test.p_value < 0.01
