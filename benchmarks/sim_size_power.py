"""Larger Monte Carlo checks of the hand-written tests in models_py (the unit tests
run small versions). Prints rejection rates at the 5 % level; with R replications the
simulation standard error of a rate near 0.05 is about sqrt(0.05 * 0.95 / R).

    uv run python benchmarks/sim_size_power.py [R]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models_py.cointegration import kao_test  # noqa: E402
from models_py.mediation import mediate  # noqa: E402
from models_py.threshold import fit_threshold  # noqa: E402
from models_py.unit_root import fisher_adf  # noqa: E402


def ar_panel(seed: int, n: int, t: int, rho: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.zeros((n, t))
    e = rng.normal(size=(n, t))
    for s in range(1, t):
        y[:, s] = rho * y[:, s - 1] + e[:, s]
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel()})


def fisher(reps: int) -> None:
    print("Fisher-ADF (constant, 0 lags), N = 4 cross-sections x T = 11 (paper 000's size)")
    for label, rho in (("size, rho = 1", 1.0), ("power, rho = 0.5", 0.5)):
        for pv in ("finite_sample", "asymptotic"):
            rej = np.array([[t.p_value < 0.05 for t in fisher_adf(
                ar_panel(s, 4, 11, rho), "y", "id", "t", lags=0, pvalues=pv).tests]
                for s in range(reps)])
            print(f"  {label:18s} {pv:14s} chi2 {rej[:, 0].mean():.3f}  "
                  f"Choi Z {rej[:, 1].mean():.3f}")


def kao(reps: int) -> None:
    print("Kao ADF (1 lag), size under independent random walks / power under "
          "cointegration")
    for n, t in ((10, 20), (20, 40), (40, 80)):
        rates = []
        for coint in (False, True):
            rej = []
            for s in range(reps):
                rng = np.random.default_rng(s)
                x = rng.normal(size=(n, t)).cumsum(axis=1)
                y = (2 * x + rng.normal(size=(n, 1)) + rng.normal(size=(n, t)) if coint
                     else rng.normal(size=(n, t)).cumsum(axis=1))
                df = pd.DataFrame({"id": np.repeat(np.arange(n), t),
                                   "t": np.tile(np.arange(t), n),
                                   "y": y.ravel(), "x": x.ravel()})
                rej.append(kao_test(df, "y", ["x"], "id", "t").tests[0].p_value < 0.05)
            rates.append(np.mean(rej))
        print(f"  N = {n:3d}, T = {t:3d}: size {rates[0]:.3f}, power {rates[1]:.3f}")


def threshold(reps: int) -> None:
    print("Threshold F1 bootstrap (100 draws), N = 100, T = 6: size / power and "
          "threshold recovery")
    for jump in (0.0, 0.5):
        rej, hit = [], []
        for s in range(reps):
            rng = np.random.default_rng(s)
            n, t = 100, 6
            q = rng.integers(0, 50, size=(n, t)) / 50
            c = rng.normal(size=(n, t)) + 1
            x = rng.normal(size=(n, t))
            y = (np.repeat(rng.normal(size=(n, 1)), t, axis=1) + 0.5 * x + 0.5 * c
                 + jump * c * (q < 0.6) + rng.normal(size=(n, t)))
            df = pd.DataFrame({"id": np.repeat(np.arange(n), t),
                               "year": np.tile(np.arange(t), n), "y": y.ravel(),
                               "c": c.ravel(), "q": q.ravel(), "x": x.ravel()})
            r = fit_threshold(df, "y", "c", "q", ["x"], "id", "year", n_boot=100, seed=s)
            rej.append(r.steps[0].p_value < 0.05)
            lo, hi = r.steps[0].ci[0]
            hit.append(lo <= 0.6 <= hi)
        extra = f", 95 % CI covers 0.6 in {np.mean(hit):.3f}" if jump else ""
        print(f"  jump = {jump}: rejection {np.mean(rej):.3f}{extra}")


def mediation(reps: int) -> None:
    print("Mediation, 60 entities x 8 years, two-way FE, 299 cluster-bootstrap draws: "
          "coverage of a*b = 0.4")
    cover_p, cover_bc, cover_sobel = [], [], []
    for s in range(reps):
        rng = np.random.default_rng(s)
        n, t = 60, 8
        al = rng.normal(size=(n, 1))
        x = rng.normal(size=(n, t)) + al
        # Errors correlated within entity, so clustering matters.
        m = 0.5 * x + al + rng.normal(size=(n, 1)) + rng.normal(size=(n, t))
        y = 0.3 * x + 0.8 * m + al + rng.normal(size=(n, 1)) + rng.normal(size=(n, t))
        df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                           "y": y.ravel(), "m": m.ravel(), "x": x.ravel()})
        eff = mediate(df, "y", "x", "m", [], "id", "t", n_boot=299, seed=s, time_effects=True)
        frame = eff.effects_frame().set_index("method")
        for store, method in ((cover_p, "bootstrap percentile"),
                              (cover_bc, "bootstrap bias-corrected"), (cover_sobel, "sobel")):
            lo, hi = frame.loc[method, ["conf_low", "conf_high"]]
            store.append(lo <= 0.4 <= hi)
    print(f"  percentile {np.mean(cover_p):.3f}, bias-corrected {np.mean(cover_bc):.3f}, "
          f"Sobel {np.mean(cover_sobel):.3f}")


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    for fn, r in ((fisher, reps), (kao, reps // 2), (threshold, reps // 4),
                  (mediation, reps // 2)):
        t0 = time.perf_counter()
        fn(r)
        print(f"  ({r} replications, {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
