"""models_py.threshold: Hansen's (1999) published thresholds on his data, the
rank-one SSR curve against brute-force regressions, the vectorized bootstrap against
explicit refits of each bootstrap sample, and recovery of a known threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.datasets import load_hansen1999
from models_py.threshold import fit_threshold, hansen_grid, lr_critical_value

XS = ["q1", "q2", "q3", "d1", "qd1"]


@pytest.fixture(scope="module")
def hansen() -> pd.DataFrame:
    return load_hansen1999()


def test_lr_critical_value_matches_hansen_2000_table() -> None:
    # Hansen (2000, Econometrica) Table 1: 5.94 (90 %), 7.35 (95 %), 10.59 (99 %).
    assert lr_critical_value(0.90) == pytest.approx(5.94, abs=0.005)
    assert lr_critical_value(0.95) == pytest.approx(7.35, abs=0.005)
    assert lr_critical_value(0.99) == pytest.approx(10.59, abs=0.005)


def test_published_thresholds_on_hansen_data(hansen: pd.DataFrame) -> None:
    res = fit_threshold(hansen, "i", "c1", "d1", XS, "id", "year", n_thresholds=2,
                        n_boot=0)
    assert res.grid.size == 393
    # Hansen (1999): gamma1 = 0.0157, gamma2 = 0.5362 (4 decimals as published).
    assert res.steps[0].thresholds[0] == pytest.approx(0.0157, abs=5e-5)
    g1, g2 = res.thresholds
    assert g1 == pytest.approx(0.0157, abs=5e-5)
    assert g2 == pytest.approx(0.5362, abs=5e-5)
    # Regime cash-flow coefficients "about 0.06 / 0.09 / 0.04" (SOURCE.txt).
    regimes = res.params[["c1_regime1", "c1_regime2", "c1_regime3"]].to_numpy()
    np.testing.assert_allclose(regimes, [0.06, 0.09, 0.04], atol=0.01)
    lo, hi = res.steps[-1].ci[0]
    assert lo <= g1 <= hi


def test_triple_threshold_on_hansen_data_keeps_every_regime_above_the_trim(
        hansen: pd.DataFrame) -> None:
    # Without a minimum size between thresholds the third threshold was 0.5145, leaving
    # 68 of 7,910 observations (0.86 %) between it and 0.5362.
    res = fit_threshold(hansen, "i", "c1", "d1", XS, "id", "year", n_thresholds=3,
                        n_boot=0)
    q = hansen["d1"].to_numpy()
    bounds = [-np.inf, *res.thresholds, np.inf]
    counts = np.array([np.sum((q >= lo) & (q < hi))
                       for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])
    assert counts.sum() == q.size == 7910
    assert counts.min() >= np.ceil(0.01 * q.size)  # 80 observations
    # The single and double steps are Hansen's published ones (4 decimals).
    assert res.steps[0].thresholds[0] == pytest.approx(0.0157, abs=5e-5)
    np.testing.assert_allclose(res.steps[1].thresholds, [0.0157, 0.5362], atol=5e-5)
    # The triple model keeps the refined pair and adds one threshold between them.
    g1, g3, g2 = res.thresholds
    assert (g1, g2) == tuple(res.steps[1].thresholds)
    assert g3 == pytest.approx(0.5103, abs=5e-5)
    assert res.steps[2].ssr < res.steps[1].ssr
    assert len(res.params) == len(XS) + 4


def within_kept(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Entity-demeaned columns with the last period of each entity dropped."""
    df = df.sort_values(["id", "year"])
    dm = df[cols] - df.groupby("id")[cols].transform("mean")
    last = df.groupby("id")["year"].transform("max") == df["year"]
    return dm[~last.to_numpy()]


def simulate(seed: int, n: int = 40, t: int = 7, jump: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # q on a lattice of 50 values, so the true threshold 0.6 is itself a grid point.
    q = rng.integers(0, 50, size=(n, t)) / 50
    c = rng.normal(size=(n, t)) + 1.0
    x = rng.normal(size=(n, t))
    y = (np.repeat(rng.normal(size=(n, 1)), t, axis=1) + 0.5 * x + 0.5 * c
         + jump * c * (q < 0.6) + rng.normal(size=(n, t)))
    return pd.DataFrame({"id": np.repeat(np.arange(n), t),
                         "year": np.tile(np.arange(t), n), "y": y.ravel(), "c": c.ravel(),
                         "q": q.ravel(), "x": x.ravel()})


def allowed(q: pd.Series, grid: np.ndarray, fixed: list[int], trim: float) -> list[bool]:
    """Candidates leaving at least ceil(trim N) observations between any two thresholds
    (the minimum regime size of the search), counted directly on q."""
    below = np.array([(q < g).sum() for g in grid])
    need = int(np.ceil(trim * len(q)))
    return [all(abs(below[i] - below[f]) >= need for f in fixed) and i not in fixed
            for i in range(len(grid))]


def brute_ssr(y: np.ndarray, base: np.ndarray, extra: list[np.ndarray]) -> float:
    z = np.column_stack([base, *extra])
    coef, *_ = np.linalg.lstsq(z, y, rcond=None)
    return float(np.sum((y - z @ coef) ** 2))


def test_ssr_curve_and_thresholds_equal_brute_force() -> None:
    df = simulate(1)
    res = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_thresholds=2,
                        trim=0.1, grid_step=0.05, n_boot=0)
    grid = res.grid
    low = {g: (df.c * (df.q < g)).rename("g") for g in grid}
    w = within_kept(df.assign(**{f"g{i}": low[g] for i, g in enumerate(grid)}),
                    ["y", "x", "c", *[f"g{i}" for i in range(len(grid))]])
    y, base = w.y.to_numpy(), w[["x", "c"]].to_numpy()
    ssr1 = np.array([brute_ssr(y, base, [w[f"g{i}"].to_numpy()]) for i in range(len(grid))])
    j1 = int(np.argmin(ssr1))
    assert res.steps[0].thresholds[0] == grid[j1]
    assert res.steps[0].ssr == pytest.approx(ssr1[j1], rel=1e-9)
    f1 = (res.ssr_linear - ssr1[j1]) / (ssr1[j1] / len(y))
    assert res.steps[0].f_stat == pytest.approx(f1, rel=1e-9)
    assert res.ssr_linear == pytest.approx(brute_ssr(y, base, []), rel=1e-9)
    # Second threshold given the first, then the first refined given the second.
    ok = allowed(df.q, grid, [j1], 0.1)
    ssr2 = np.array([brute_ssr(y, base, [w[f"g{j1}"].to_numpy(), w[f"g{i}"].to_numpy()])
                     if ok[i] else np.inf for i in range(len(grid))])
    j2 = int(np.argmin(ssr2))
    ok = allowed(df.q, grid, [j2], 0.1)
    ssr1r = np.array([brute_ssr(y, base, [w[f"g{j2}"].to_numpy(), w[f"g{i}"].to_numpy()])
                      if ok[i] else np.inf for i in range(len(grid))])
    j1r = int(np.argmin(ssr1r))
    assert res.thresholds == sorted([grid[j1r], grid[j2]])
    assert res.steps[1].ssr == pytest.approx(ssr1r[j1r], rel=1e-9)


def test_bootstrap_draws_equal_explicit_refits() -> None:
    df = simulate(2, n=20, t=5)
    n_boot, seed = 4, 123
    res = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_thresholds=2,
                        trim=0.15, grid_step=0.1, n_boot=n_boot, seed=seed)
    grid = res.grid
    cols = [f"g{i}" for i in range(len(grid))]
    w = within_kept(df.assign(**{f"g{i}": df.c * (df.q < g) for i, g in enumerate(grid)}),
                    ["y", "x", "c", *cols])
    y, base = w.y.to_numpy(), w[["x", "c"]].to_numpy()
    gmat = [w[c].to_numpy() for c in cols]
    n_obs, n, t = len(y), 20, 4
    rng = np.random.default_rng(seed)

    def search(ystar: np.ndarray, fixed: list[int]) -> tuple[int, float]:
        ok = allowed(df.q, grid, fixed, 0.15)
        curve = [brute_ssr(ystar, base, [gmat[j] for j in fixed] + [gmat[i]])
                 if ok[i] else np.inf for i in range(len(grid))]
        return int(np.argmin(curve)), float(np.min(curve))

    # F1 under the linear null.
    z = base
    e_lin = y - z @ np.linalg.lstsq(z, y, rcond=None)[0]
    draws = rng.integers(0, n, size=(n_boot, n))
    for r in range(n_boot):
        ystar = (y - e_lin) + e_lin.reshape(n, t)[draws[r]].ravel()
        s0 = brute_ssr(ystar, base, [])
        _, s1 = search(ystar, [])
        assert res.steps[0].boot_f[r] == pytest.approx((s0 - s1) / (s1 / n_obs), rel=1e-8)
    # F2 under the single-threshold null (first threshold of the single model).
    j1 = int(np.flatnonzero(grid == res.steps[0].thresholds[0])[0])
    z1 = np.column_stack([base, gmat[j1]])
    e1 = y - z1 @ np.linalg.lstsq(z1, y, rcond=None)[0]
    draws = rng.integers(0, n, size=(n_boot, n))
    for r in range(n_boot):
        ystar = (y - e1) + e1.reshape(n, t)[draws[r]].ravel()
        j, s1 = search(ystar, [])
        _, s2 = search(ystar, [j])
        assert res.steps[1].boot_f[r] == pytest.approx((s1 - s2) / (s2 / n_obs), rel=1e-8)


def test_recovers_a_known_threshold_and_tests_it() -> None:
    res = fit_threshold(simulate(3, n=100, t=6), "y", "c", "q", ["x"], "id", "year",
                        n_boot=100)
    lo, hi = res.steps[0].ci[0]
    assert lo <= 0.6 <= hi
    assert res.thresholds[0] == pytest.approx(0.6, abs=1e-12)
    assert res.steps[0].p_value < 0.05
    assert res.params["c_regime1"] - res.params["c_regime2"] == pytest.approx(1.0, abs=0.2)
    null = fit_threshold(simulate(4, n=100, t=6, jump=0.0), "y", "c", "q", ["x"], "id",
                         "year", n_boot=100)
    assert null.steps[0].p_value > 0.05
    frame = res.thresholds_frame()
    assert list(frame["threshold"]) == ["gamma1"]
    steps = res.steps_frame()
    assert steps.loc[0, "crit10"] <= steps.loc[0, "crit5"] <= steps.loc[0, "crit1"]
    assert steps.loc[0, "n_boot"] == 100


def test_xthreg_convention_uses_all_periods_and_weak_inequality() -> None:
    df = simulate(5)
    hansen = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_boot=0)
    stata = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_boot=0,
                          convention="xthreg")
    assert stata.nobs == len(df) and hansen.nobs == len(df) - 40
    g = stata.thresholds[0]
    dm = df[["y", "x", "c"]] - df.groupby("id")[["y", "x", "c"]].transform("mean")
    low = df.c * (df.q <= g)
    low = low - low.groupby(df.id).transform("mean")
    ssr = brute_ssr(dm.y.to_numpy(), dm[["x", "c"]].to_numpy(), [low.to_numpy()])
    assert stata.steps[0].ssr == pytest.approx(ssr, rel=1e-9)


def test_hansen_grid_positions() -> None:
    q = np.arange(1.0, 101.0)  # 100 unique values
    grid = hansen_grid(q, trim=0.1, step=0.1)
    # positions floor(100 p), p = 0.1 .. 0.9 -> values 10, 20, ..., 90
    np.testing.assert_array_equal(grid, np.arange(10.0, 91.0, 10.0))


def test_triple_threshold_search_and_bootstrap_equal_brute_force() -> None:
    df = simulate(6, n=20, t=5)
    n_boot, seed = 2, 9
    res = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_thresholds=3,
                        trim=0.15, grid_step=0.1, n_boot=n_boot, seed=seed)
    grid = res.grid
    cols = [f"g{i}" for i in range(len(grid))]
    w = within_kept(df.assign(**{f"g{i}": df.c * (df.q < g) for i, g in enumerate(grid)}),
                    ["y", "x", "c", *cols])
    y, base = w.y.to_numpy(), w[["x", "c"]].to_numpy()
    gmat = [w[c].to_numpy() for c in cols]
    n_obs, n, t = len(y), 20, 4

    def search(ystar: np.ndarray, fixed: list[int]) -> tuple[int, float]:
        ok = allowed(df.q, grid, fixed, 0.15)
        curve = [brute_ssr(ystar, base, [gmat[j] for j in fixed] + [gmat[i]])
                 if ok[i] else np.inf for i in range(len(grid))]
        return int(np.argmin(curve)), float(np.min(curve))

    pair = [int(np.flatnonzero(grid == g)[0]) for g in res.steps[1].thresholds]
    # The minimum regime size binds here: it rules out more than the chosen points.
    assert allowed(df.q, grid, pair, 0.15).count(False) > 2
    j3, s3 = search(y, pair)
    assert res.steps[2].ssr == pytest.approx(s3, rel=1e-9)
    assert res.thresholds == sorted(float(grid[j]) for j in [*pair, j3])
    assert len(res.thresholds_frame()) == 3
    # F3 draws: null = the double-threshold model; three sequential searches.
    rng = np.random.default_rng(seed)
    rng.integers(0, n, size=(n_boot, n))  # F1 draws
    rng.integers(0, n, size=(n_boot, n))  # F2 draws
    draws = rng.integers(0, n, size=(n_boot, n))
    z2 = np.column_stack([base, *[gmat[j] for j in pair]])
    e2 = y - z2 @ np.linalg.lstsq(z2, y, rcond=None)[0]
    for r in range(n_boot):
        ystar = (y - e2) + e2.reshape(n, t)[draws[r]].ravel()
        a, _ = search(ystar, [])
        b, s2 = search(ystar, [a])
        _, s3b = search(ystar, [a, b])
        assert res.steps[2].boot_f[r] == pytest.approx((s2 - s3b) / (s3b / n_obs), rel=1e-8)
