"""models_py.mediation: the stepwise identity, Sobel by hand, the vectorized cluster
bootstrap against explicit refits of each resampled panel, interval formulas, and
recovery of a known indirect effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models_py.mediation import (
    bias_corrected_interval,
    cluster_bootstrap_ab,
    mediate,
    percentile_interval,
)
from models_py.panel import fit_panel_ols


def simulate(seed: int, n: int = 60, t: int = 8, a: float = 0.5, b: float = 0.8,
             c: float = 0.3, drop: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alpha = rng.normal(size=(n, 1))
    year = rng.normal(size=(1, t))
    x = rng.normal(size=(n, t)) + alpha
    w = rng.normal(size=(n, t))
    m = a * x + 0.2 * w + alpha + year + rng.normal(size=(n, t))
    y = c * x + b * m + 0.1 * w + alpha + year + rng.normal(size=(n, t))
    df = pd.DataFrame({"id": np.repeat([f"e{i:03d}" for i in range(n)], t),
                       "t": np.tile(np.arange(2000, 2000 + t), n),
                       "y": y.ravel(), "m": m.ravel(), "x": x.ravel(), "w": w.ravel()})
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).sort_index()
    return df


def test_total_equals_direct_plus_indirect_and_sobel_by_hand() -> None:
    res = mediate(simulate(1), "y", "x", "m", ["w"], "id", "t", n_boot=0, time_effects=True)
    total = res.total.params["x"]
    direct = res.b_path.params["x"]
    assert total == pytest.approx(direct + res.a * res.b, rel=1e-10)
    sa, sb = res.a_path.std_errors["x"], res.b_path.std_errors["m"]
    z = res.a * res.b / np.sqrt(res.b**2 * sa**2 + res.a**2 * sb**2)
    assert res.sobel_z == pytest.approx(z, rel=1e-12)
    assert res.sobel_p == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)


@pytest.mark.parametrize("entity_effects,time_effects,drop", [
    (True, True, 0.0), (True, False, 0.0), (False, True, 0.0), (True, True, 0.15),
])
def test_vectorized_draws_equal_explicit_refits(entity_effects: bool, time_effects: bool,
                                                drop: float) -> None:
    df = simulate(2, n=25, t=6, drop=drop)
    draws = cluster_bootstrap_ab(df, "y", "x", "m", ["w"], "id", "t", entity_effects,
                                 time_effects, n_boot=6, seed=11, chunk=4)
    levels = np.sort(df["id"].unique())
    for r in range(6):
        # Build the resampled panel explicitly: each drawn entity becomes a new one.
        parts = [df[df["id"] == levels[e]].assign(id=f"b{j:03d}")
                 for j, e in enumerate(draws.indices[r])]
        boot = pd.concat(parts, ignore_index=True)
        common = dict(entity="id", time="t", entity_effects=entity_effects,
                      time_effects=time_effects, cov="unadjusted")
        a = fit_panel_ols(boot, "m", ["x", "w"], **common).params["x"]
        b = fit_panel_ols(boot, "y", ["x", "m", "w"], **common).params["m"]
        assert draws.a[r] == pytest.approx(a, rel=1e-8)
        assert draws.b[r] == pytest.approx(b, rel=1e-8)


def test_interval_formulas() -> None:
    draws = np.arange(1.0, 1001.0)  # uniform-looking draws 1..1000
    assert percentile_interval(draws, 0.9) == pytest.approx(
        tuple(np.quantile(draws, [0.05, 0.95])))
    # Estimate at the median: z0 = Phi^-1(0.5) = 0, so BC equals the percentile interval.
    assert bias_corrected_interval(draws, 500.5, 0.9) == pytest.approx(
        percentile_interval(draws, 0.9))
    # Estimate with 30 % of draws below: z0 = Phi^-1(0.3); the bounds are the
    # Phi(2 z0 -/+ 1.645) quantiles.
    z0 = stats.norm.ppf(0.3)
    q = stats.norm.cdf(2 * z0 + stats.norm.ppf([0.05, 0.95]))
    assert bias_corrected_interval(draws, 300.5, 0.9) == pytest.approx(
        tuple(np.quantile(draws, q)))


def test_recovers_the_indirect_effect_and_covers_zero_without_mediation() -> None:
    res = mediate(simulate(3, n=150, t=8), "y", "x", "m", ["w"], "id", "t", n_boot=400,
                  time_effects=True)
    eff = res.effects_frame().set_index("method")
    for method in ("bootstrap percentile", "bootstrap bias-corrected", "sobel"):
        lo, hi = eff.loc[method, ["conf_low", "conf_high"]]
        assert lo < 0.4 < hi  # true a * b = 0.5 * 0.8
        assert lo > 0
    null = mediate(simulate(4, n=150, t=8, a=0.0), "y", "x", "m", ["w"], "id", "t",
                   n_boot=400, time_effects=True)
    lo, hi = null.effects_frame().set_index("method").loc["bootstrap percentile",
                                                           ["conf_low", "conf_high"]]
    assert lo < 0 < hi


def test_bootstrap_is_seeded_and_frames_are_tidy() -> None:
    df = simulate(5, n=30, t=5)
    r1 = mediate(df, "y", "x", "m", ["w"], "id", "t", n_boot=50, seed=3, time_effects=True)
    r2 = mediate(df, "y", "x", "m", ["w"], "id", "t", n_boot=50, seed=3, time_effects=True)
    np.testing.assert_array_equal(r1.draws.indirect, r2.draws.indirect)
    assert len(r1.coefficients_frame()) == 2 + 2 + 3
    assert set(r1.effects_frame()["effect"]) == {"total", "direct", "a", "b", "indirect",
                                                  "proportion mediated"}
