"""Data transforms a study specification can name for its robustness checks.

* `stata_pctile`: percentiles by Stata's ``_pctile`` / ``summarize, detail`` rule
  (Stata [D] pctile, Methods and Formulas): with n sorted values x_(1..n) and
  P = n p / 100, the p-th percentile is (x_(P) + x_(P+1)) / 2 when P is an integer
  and x_(floor(P) + 1) otherwise (no interpolation; numpy's
  ``method="averaged_inverted_cdf"``, not its default ``"linear"``).
* `winsorize`: ``winsor2 x, cuts(1 99) [by(g)] [trim]``: values below the lower
  cut are set to it, values above the upper cut to it (``trim=True`` sets them
  missing instead). Missing values stay missing and do not count in n.
* `log1p`: log(1 + x), for the logarithmic robustness check of paper 002.
* `lag_within`: x_{i,t-k} by entity, on the calendar (a gap gives a missing lag,
  like Stata's ``L.x`` after ``xtset``), not simply the previous row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def stata_pctile(values: np.ndarray | pd.Series, p: float) -> float:
    """The p-th percentile (0 < p < 100) of the non-missing values, Stata's rule."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("nan")
    if not 0 < p < 100:
        raise ValueError(f"p must be in (0, 100), got {p}")
    pos = n * p / 100.0
    # Guard against pos = 4.999999999 from floating-point p, which Stata (working in
    # its own float arithmetic) treats as the integer 5.
    rounded = round(pos)
    if abs(pos - rounded) < 1e-9:
        k = int(rounded)
        if k >= n:
            return float(x[-1])
        return float((x[k - 1] + x[k]) / 2.0)
    return float(x[int(np.floor(pos))])


def winsorize(
    df: pd.DataFrame,
    columns: list[str],
    cuts: tuple[float, float] = (1.0, 99.0),
    by: str | list[str] | None = None,
    trim: bool = False,
    suffix: str = "",
) -> pd.DataFrame:
    """Winsorize (or trim) `columns` at the `cuts` percentiles, Stata winsor2 semantics.

    Returns a copy of `df`; the new values go to ``column + suffix`` (so the default
    ``suffix=""`` replaces the column, like ``winsor2, replace``).
    """
    low, high = cuts
    if not 0 <= low < high <= 100:
        raise ValueError(f"cuts must satisfy 0 <= low < high <= 100, got {cuts}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    out = df.copy()

    def cut_one(s: pd.Series) -> pd.Series:
        x = s.astype(float)
        lo = stata_pctile(x.to_numpy(), low) if low > 0 else -np.inf
        hi = stata_pctile(x.to_numpy(), high) if high < 100 else np.inf
        if trim:
            return x.where(x.isna() | ((x >= lo) & (x <= hi)))
        return x.clip(lower=lo, upper=hi)

    for c in columns:
        if by is None:
            new = cut_one(df[c])
        else:
            new = df.groupby(by, sort=False, dropna=False)[c].transform(cut_one)
        out[c + suffix] = new
    return out


def log1p(df: pd.DataFrame, columns: list[str], prefix: str = "ln1p_") -> pd.DataFrame:
    """Add log(1 + x) of each column as ``prefix + column``; x <= -1 raises."""
    out = df.copy()
    for c in columns:
        x = df[c].astype(float)
        if (x <= -1).any():
            raise ValueError(f"log(1 + x) undefined: {c} has values <= -1")
        out[prefix + c] = np.log1p(x)
    return out


def lag_within(
    df: pd.DataFrame,
    columns: list[str],
    entity: str,
    time: str,
    lag: int = 1,
    prefix: str = "L{lag}_",
) -> pd.DataFrame:
    """Add x_{i, t - lag} for each column as ``prefix.format(lag=lag) + column``.

    The lag is looked up by calendar time (``time - lag`` for the same entity), so a
    missing year yields a missing lag rather than the value of an older year.
    """
    if lag < 1:
        raise ValueError("lag must be a positive integer")
    if df.duplicated(subset=[entity, time]).any():
        raise ValueError(f"({entity}, {time}) does not identify rows")
    names = [prefix.format(lag=lag) + c for c in columns]
    shifted = df.loc[:, [entity, time, *columns]].copy()
    shifted[time] = shifted[time] + lag
    shifted = shifted.rename(columns=dict(zip(columns, names, strict=True)))
    merged = df.merge(shifted, on=[entity, time], how="left", validate="one_to_one")
    merged.index = df.index
    return merged
