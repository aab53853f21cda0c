"""Principal-component composite index with KMO and Bartlett's test (paper 004: the
digital economy development index "measured through principal component analysis").

For an n x p indicator matrix X (rows = region-years, columns = indicators):

1. Direction: a negative indicator (direction ``-``) enters as -x, so that every column
   increases with development.
2. Standardization: z_ij = (x_ij - mean_j) / sd_j, sd with n - 1 in the denominator (as
   SPSS and Stata ``pca`` on the correlation matrix).
3. Correlation matrix R = Z'Z / (n - 1); eigenvalues l_1 >= ... >= l_p and unit
   eigenvectors v_k. Each v_k is signed so that its entries sum to a positive number
   (the sign of a principal component is arbitrary; this makes a component rise with the
   indicators on balance, and makes results reproducible).
4. Loadings a_jk = v_jk sqrt(l_k) (the correlation of indicator j with component k);
   variance share l_k / p; cumulative share.
5. Components kept (``rule``): ``eigenvalue``: l_k > 1 (Kaiser criterion); ``cumulative``:
   the fewest components whose cumulative share reaches ``threshold`` (0.85 by default);
   ``both``: enough components to satisfy both. At least one is kept.
6. Component scores F_k = Z v_k (variance l_k) and the composite
   F = sum_{k kept} (l_k / sum_{m kept} l_m) F_k, the components weighted by their share of
   the variance the kept components explain (the usual composite of the applied
   literature, e.g. paper 004).

Adequacy, on R:

* Kaiser-Meyer-Olkin measure (Kaiser 1970, "A second generation little jiffy",
  Psychometrika 35: 401-415; Kaiser and Rice 1974): with the anti-image partial
  correlations q_ij = -S_ij / sqrt(S_ii S_jj), S = R^-1,
  KMO = sum_{i != j} r_ij^2 / (sum_{i != j} r_ij^2 + sum_{i != j} q_ij^2), and per variable
  MSA_i with the sums over j != i only. Kaiser (1974, "An index of factorial simplicity",
  Psychometrika 39: 31-36) reads >= 0.9 marvelous, >= 0.8
  meritorious, >= 0.7 middling, >= 0.6 mediocre, >= 0.5 miserable, below unacceptable.
* Bartlett's test of sphericity (Bartlett 1950, "Tests of significance in factor
  analysis", British Journal of Psychology 3: 77-85): H0: R = I,
  chi2 = -(n - 1 - (2p + 5) / 6) ln|R|, df = p (p - 1) / 2.

The numerics use numpy only (the chi-square tail is the regularized upper incomplete gamma
function, computed in closed form for the integer and half-integer shapes a chi-square
needs); ``pca_tables`` lays the results out as tidy pandas frames for the warehouse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

RULES = ("eigenvalue", "cumulative", "both")
KMO_VERDICTS = (
    (0.9, "marvelous"),
    (0.8, "meritorious"),
    (0.7, "middling"),
    (0.6, "mediocre"),
    (0.5, "miserable"),
)
# Above this condition number R is treated as singular: R^-1 (KMO) and ln|R| (Bartlett)
# would be rounding noise.
SINGULAR_CONDITION = 1e12


@dataclass(frozen=True)
class KMOResult:
    overall: float
    per_variable: np.ndarray

    @property
    def verdict(self) -> str:
        return kmo_verdict(self.overall)


@dataclass(frozen=True)
class BartlettResult:
    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class PCAResult:
    """Everything a PCA composite reports; arrays are ordered like ``indicators`` (rows) and
    by descending eigenvalue (components)."""

    indicators: tuple[str, ...]
    n_obs: int
    mean: np.ndarray
    sd: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray  # p x p, column k = v_k
    rule: str
    threshold: float
    n_kept: int
    scores: np.ndarray  # n x n_kept, F_k = Z v_k
    composite: np.ndarray  # n
    kmo: KMOResult
    bartlett: BartlettResult

    @property
    def loadings(self) -> np.ndarray:
        """a_jk = v_jk sqrt(l_k): correlation of indicator j with component k."""
        return self.eigenvectors * np.sqrt(np.clip(self.eigenvalues, 0.0, None))

    @property
    def variance_share(self) -> np.ndarray:
        return self.eigenvalues / self.eigenvalues.sum()

    @property
    def cumulative_share(self) -> np.ndarray:
        return np.cumsum(self.variance_share)

    @property
    def composite_weights(self) -> np.ndarray:
        """l_k / sum of the kept eigenvalues, for the kept components."""
        kept = self.eigenvalues[: self.n_kept]
        return kept / kept.sum()

    @property
    def communalities(self) -> np.ndarray:
        """Share of each indicator's variance the kept components reproduce."""
        return (self.loadings[:, : self.n_kept] ** 2).sum(axis=1)


def standardize(x: np.ndarray, ddof: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column z-scores (x - mean) / sd with sd on n - ddof; returns (z, mean, sd)."""
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=ddof)
    if np.any(sd == 0):
        raise ValueError("standardize: a column has zero variance")
    return (x - mean) / sd, mean, sd


def correlation_matrix(z: np.ndarray) -> np.ndarray:
    """R = Z'Z / (n - 1) of column z-scores (sd on n - 1); exactly symmetric."""
    r = z.T @ z / (z.shape[0] - 1)
    return (r + r.T) / 2


def _is_singular(corr: np.ndarray) -> bool:
    return not np.isfinite(np.linalg.cond(corr)) or np.linalg.cond(corr) > SINGULAR_CONDITION


def kmo(corr: np.ndarray) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per variable (MSA).
    NaN when R is singular (the anti-image correlations need R^-1)."""
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[0]
    if _is_singular(corr):
        return KMOResult(float("nan"), np.full(p, np.nan))
    inv = np.linalg.inv(corr)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    off = ~np.eye(p, dtype=bool)
    r2 = np.where(off, corr**2, 0.0)
    q2 = np.where(off, partial**2, 0.0)
    overall = r2.sum() / (r2.sum() + q2.sum())
    per_variable = r2.sum(axis=1) / (r2.sum(axis=1) + q2.sum(axis=1))
    return KMOResult(float(overall), per_variable)


def kmo_verdict(value: float) -> str:
    """Kaiser's (1974) reading of a KMO value."""
    if not np.isfinite(value):
        return "undefined"
    for bound, word in KMO_VERDICTS:
        if value >= bound:
            return word
    return "unacceptable"


def chi2_sf(x: float, df: int) -> float:
    """P(chi2_df > x), the regularized upper incomplete gamma Q(df / 2, x / 2).

    Closed forms: for an integer shape m,
    Q(m, y) = e^-y sum_{i<m} y^i / i!; for a half-integer shape, Q(1/2, y) = erfc(sqrt y)
    and Q(a + 1, y) = Q(a, y) + y^a e^-y / Gamma(a + 1). Terms are summed in log space, so
    large statistics do not overflow."""
    if df < 1 or int(df) != df:
        raise ValueError("chi2_sf: df must be a positive integer")
    if not np.isfinite(x):
        return 0.0 if x > 0 else float("nan")
    if x <= 0:
        return 1.0
    y = x / 2.0
    if df % 2 == 0:
        shapes = [float(i) for i in range(df // 2)]  # y^i / i! = y^a / Gamma(a + 1), a = i
        total = 0.0
    else:
        shapes = [i + 0.5 for i in range((df - 1) // 2)]
        total = math.erfc(math.sqrt(y))
    for a in shapes:
        total += math.exp(a * math.log(y) - y - math.lgamma(a + 1))
    return min(max(total, 0.0), 1.0)


def bartlett_sphericity(corr: np.ndarray, n_obs: int) -> BartlettResult:
    """Bartlett's test that the correlation matrix is the identity; NaN when R is singular
    or there are too few observations for the statistic's factor to be positive."""
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[0]
    df = p * (p - 1) // 2
    factor = n_obs - 1 - (2 * p + 5) / 6
    sign, logdet = np.linalg.slogdet(corr)
    if sign <= 0 or factor <= 0 or _is_singular(corr) or df == 0:
        return BartlettResult(float("nan"), df, float("nan"))
    statistic = -factor * logdet
    return BartlettResult(float(statistic), df, chi2_sf(statistic, df))


def retained_components(
    eigenvalues: np.ndarray, rule: str = "eigenvalue", threshold: float = 0.85
) -> int:
    """How many of the (descending) components to keep under ``rule``; at least one."""
    if rule not in RULES:
        raise ValueError(f"retained_components: rule must be one of {RULES}, not {rule!r}")
    if not 0 < threshold <= 1:
        raise ValueError("retained_components: threshold must be in (0, 1]")
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    by_eigenvalue = int((eigenvalues > 1).sum())
    cumulative = np.cumsum(eigenvalues) / eigenvalues.sum()
    # a share that reaches the threshold up to rounding counts as reaching it
    by_cumulative = int(np.argmax(cumulative >= threshold - 1e-12)) + 1
    kept = {"eigenvalue": by_eigenvalue, "cumulative": by_cumulative}.get(
        rule, max(by_eigenvalue, by_cumulative)
    )
    return max(kept, 1)


def _orient(vectors: np.ndarray) -> np.ndarray:
    """Sign each column so that its entries sum to a positive number (ties: largest entry
    positive)."""
    out = vectors.copy()
    for k in range(out.shape[1]):
        total = out[:, k].sum()
        if abs(total) < 1e-12:
            total = out[np.argmax(np.abs(out[:, k])), k]
        if total < 0:
            out[:, k] = -out[:, k]
    return out


def principal_components(
    x: np.ndarray,
    directions: Sequence[str] | None = None,
    rule: str = "eigenvalue",
    threshold: float = 0.85,
    indicators: Sequence[str] | None = None,
) -> PCAResult:
    """PCA composite of the columns of ``x`` (see the module docstring for the formulas).

    directions: ``+`` / ``-`` per column (default all ``+``); indicators: column names."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("principal_components: need a 2-D matrix with at least 2 columns")
    n, p = x.shape
    if n <= p:
        raise ValueError("principal_components: need more observations than indicators")
    if not np.all(np.isfinite(x)):
        raise ValueError("principal_components: x has missing or infinite values")
    directions = list(directions) if directions is not None else ["+"] * p
    if len(directions) != p or set(directions) - {"+", "-"}:
        raise ValueError("principal_components: one direction '+' or '-' per column")
    names = tuple(indicators) if indicators is not None else tuple(f"x{j + 1}" for j in range(p))
    signs = np.array([-1.0 if d == "-" else 1.0 for d in directions])
    z, mean, sd = standardize(x * signs)
    corr = correlation_matrix(z)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    vectors = _orient(vectors[:, order])
    n_kept = retained_components(values, rule, threshold)
    scores = z @ vectors[:, :n_kept]
    weights = values[:n_kept] / values[:n_kept].sum()
    return PCAResult(
        indicators=names,
        n_obs=n,
        mean=mean * signs,
        sd=sd,
        eigenvalues=values,
        eigenvectors=vectors,
        rule=rule,
        threshold=threshold,
        n_kept=n_kept,
        scores=scores,
        composite=scores @ weights,
        kmo=kmo(corr),
        bartlett=bartlett_sphericity(corr, n),
    )


@dataclass(frozen=True)
class PCATables:
    """The tidy outputs of ``pca_tables`` (one frame per warehouse table)."""

    scores: pd.DataFrame
    eigenvalues: pd.DataFrame
    loadings: pd.DataFrame
    adequacy: pd.DataFrame


SCORE_COLUMNS = ["system", "level", "region_code", "year", "composite", "composite_scaled",
                 "n_components"]
EIGENVALUE_COLUMNS = ["system", "level", "component", "eigenvalue", "variance_share",
                      "cumulative_share", "kept", "composite_weight"]
LOADING_COLUMNS = ["system", "level", "indicator_code", "dimension", "direction", "component",
                   "eigenvector", "loading", "kept", "communality", "msa", "mean", "sd"]
ADEQUACY_COLUMNS = ["system", "level", "n_obs", "n_indicators", "indicators_dropped", "kmo",
                    "kmo_verdict", "bartlett_chi2", "bartlett_df", "bartlett_p_value",
                    "retention_rule", "cumulative_threshold", "n_components",
                    "cumulative_share_kept", "note"]


def pca_tables(values: pd.DataFrame, rule: str = "eigenvalue",
               threshold: float = 0.85) -> PCATables:
    """PCA composite of every index system in a long frame.

    values: one row per (system, region_code, year, indicator_code) with columns level,
    dimension, direction and value, complete (the in-sample rows of
    intermediate.int_index_system_values). Indicators constant over a system's sample are
    left out of its PCA (their z-score is undefined) and listed in ``indicators_dropped``.
    A system whose PCA cannot be computed (fewer than two non-constant indicators, no more
    region-years than indicators) gets only an adequacy row, with the reason in ``note``.
    Rows are ordered by region_code and year, columns by indicator_code, so the result does
    not depend on the input order."""
    # a bad setting is an error of the run, not a note on every system
    if rule not in RULES:
        raise ValueError(f"pca_tables: rule must be one of {RULES}, not {rule!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"pca_tables: threshold must be in (0, 1], not {threshold}")
    scores, eigen, loadings, adequacy = [], [], [], []
    for system, frame in values.groupby("system", sort=True):
        level = str(frame["level"].iloc[0])
        wide = frame.pivot(index=["region_code", "year"], columns="indicator_code",
                           values="value").sort_index().sort_index(axis=1)
        meta = (frame.drop_duplicates("indicator_code").set_index("indicator_code")
                .loc[wide.columns, ["dimension", "direction"]])
        constant = [c for c in wide.columns if wide[c].nunique() <= 1]
        wide = wide.drop(columns=constant)
        meta = meta.drop(index=constant)
        try:
            result = principal_components(wide.to_numpy(), meta["direction"].tolist(), rule,
                                          threshold, list(wide.columns))
        except ValueError as error:
            # e.g. fewer than two non-constant indicators, or fewer region-years than
            # indicators: the system gets no PCA, and the adequacy table says why (one
            # system that cannot be decomposed must not stop the others)
            adequacy.append(pd.DataFrame([{
                "system": system, "level": level, "n_obs": len(wide),
                "n_indicators": wide.shape[1], "indicators_dropped": ", ".join(constant) or None,
                "kmo_verdict": "undefined", "retention_rule": rule,
                "cumulative_threshold": threshold, "note": str(error),
            }]))
            continue
        composite = result.composite
        spread = composite.max() - composite.min()
        scores.append(pd.DataFrame({
            "system": system,
            "level": level,
            "region_code": wide.index.get_level_values("region_code").astype(str),
            "year": wide.index.get_level_values("year").astype("int32"),
            "composite": composite,
            "composite_scaled": (composite - composite.min()) / spread if spread > 0 else 0.0,
            "n_components": result.n_kept,
        }))
        p = len(result.indicators)
        components = np.arange(1, p + 1)
        kept = components <= result.n_kept
        weights = np.full(p, np.nan)
        weights[: result.n_kept] = result.composite_weights
        eigen.append(pd.DataFrame({
            "system": system,
            "level": level,
            "component": components,
            "eigenvalue": result.eigenvalues,
            "variance_share": result.variance_share,
            "cumulative_share": result.cumulative_share,
            "kept": kept,
            "composite_weight": weights,
        }))
        loadings.append(pd.DataFrame({
            "system": system,
            "level": level,
            "indicator_code": np.repeat(result.indicators, p),
            "dimension": np.repeat(meta["dimension"].to_numpy(), p),
            "direction": np.repeat(meta["direction"].to_numpy(), p),
            "component": np.tile(components, p),
            "eigenvector": result.eigenvectors.ravel(),
            "loading": result.loadings.ravel(),
            "kept": np.tile(kept, p),
            "communality": np.repeat(result.communalities, p),
            "msa": np.repeat(result.kmo.per_variable, p),
            "mean": np.repeat(result.mean, p),
            "sd": np.repeat(result.sd, p),
        }))
        adequacy.append(pd.DataFrame([{
            "system": system,
            "level": level,
            "n_obs": result.n_obs,
            "n_indicators": p,
            "indicators_dropped": ", ".join(constant) or None,
            "kmo": result.kmo.overall,
            "kmo_verdict": result.kmo.verdict,
            "bartlett_chi2": result.bartlett.statistic,
            "bartlett_df": result.bartlett.df,
            "bartlett_p_value": result.bartlett.p_value,
            "retention_rule": rule,
            "cumulative_threshold": threshold,
            "n_components": result.n_kept,
            "cumulative_share_kept": float(result.cumulative_share[result.n_kept - 1]),
            "note": None,
        }]))

    def stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True).loc[:, columns]

    counts = ["n_obs", "n_indicators", "bartlett_df", "n_components"]
    return PCATables(
        scores=stack(scores, SCORE_COLUMNS),
        eigenvalues=stack(eigen, EIGENVALUE_COLUMNS),
        loadings=stack(loadings, LOADING_COLUMNS),
        # counts stay integers and notes text when a system without PCA leaves them empty
        adequacy=stack(adequacy, ADEQUACY_COLUMNS).astype(
            dict.fromkeys(counts, "Int64") | dict.fromkeys(["indicators_dropped", "note"], "string")
        ),
    )
