"""Descriptive statistics and correlations laid out as EViews prints them (paper 000,
Tables 2 and 3).

Moments follow EViews' "Descriptive Statistics" view:

* Std. Dev. is the sample standard deviation, sqrt(sum (x - m)^2 / (n - 1)).
* Skewness S = m3 / s^3 and kurtosis K = m4 / s^4 with population moments
  m_j = sum (x - m)^j / n and s = sqrt(m2) (kurtosis, not excess kurtosis: 3 for a
  normal distribution).
* Jarque-Bera = n / 6 * (S^2 + (K - 3)^2 / 4), p-value from chi2(2).

Missing values are dropped per variable ("individual samples"); pass
``common_sample=True`` to drop every row with a missing value in any column first, as
EViews' group statistics do by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

STAT_ORDER = (
    "Mean",
    "Median",
    "Maximum",
    "Minimum",
    "Std. Dev.",
    "Skewness",
    "Kurtosis",
    "Jarque-Bera",
    "Probability",
    "Sum",
    "Observations",
)


@dataclass(frozen=True)
class DescriptiveResult:
    """EViews-style descriptive statistics; ``table`` has statistics as rows, variables
    as columns (the paper layout)."""

    table: pd.DataFrame

    def descriptive_frame(self) -> pd.DataFrame:
        """Tidy: one row per (variable, statistic) with its value."""
        long = self.table.rename_axis(index="statistic", columns="variable").stack()
        out = long.rename("value").reset_index()
        return out.loc[:, ["variable", "statistic", "value"]]


def _moments(x: np.ndarray) -> dict[str, float]:
    n = x.size
    if n == 0:
        return {k: float("nan") for k in STAT_ORDER} | {"Observations": 0.0}
    mean = float(x.mean())
    dev = x - mean
    m2 = float(np.mean(dev**2))
    sd = float(np.sqrt(np.sum(dev**2) / (n - 1))) if n > 1 else float("nan")
    if m2 > 0:
        skew = float(np.mean(dev**3) / m2**1.5)
        kurt = float(np.mean(dev**4) / m2**2)
        jb = n / 6.0 * (skew**2 + (kurt - 3.0) ** 2 / 4.0)
        jb_p = float(stats.chi2.sf(jb, 2))
    else:
        skew = kurt = jb = jb_p = float("nan")
    return {
        "Mean": mean,
        "Median": float(np.median(x)),
        "Maximum": float(x.max()),
        "Minimum": float(x.min()),
        "Std. Dev.": sd,
        "Skewness": skew,
        "Kurtosis": kurt,
        "Jarque-Bera": jb,
        "Probability": jb_p,
        "Sum": float(x.sum()),
        "Observations": float(n),
    }


def describe(
    df: pd.DataFrame, columns: list[str], common_sample: bool = False
) -> DescriptiveResult:
    """EViews descriptive statistics with Jarque-Bera for `columns` (see module doc)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, list(columns)].astype(float)
    if common_sample:
        data = data.dropna()
    table = pd.DataFrame(
        {c: _moments(data[c].dropna().to_numpy()) for c in columns}, index=list(STAT_ORDER)
    )
    return DescriptiveResult(table=table)


@dataclass(frozen=True)
class CorrelationResult:
    """Pearson correlations with two-sided p-values of t = r sqrt((n-2)/(1-r^2)) ~ t(n-2),
    on the rows complete in all variables (EViews' "Correlation / Probability" view)."""

    corr: pd.DataFrame
    pvalues: pd.DataFrame
    nobs: int

    def correlation_frame(self) -> pd.DataFrame:
        """Tidy lower triangle: one row per pair (var1, var2, r, t_stat, p_value, nobs)."""
        cols = list(self.corr.columns)
        rows = []
        for i, a in enumerate(cols):
            for b in cols[:i]:
                r = float(self.corr.loc[a, b])
                t = r * np.sqrt((self.nobs - 2) / (1 - r**2)) if abs(r) < 1 else np.inf
                rows.append(
                    {"var1": a, "var2": b, "r": r, "t_stat": float(t),
                     "p_value": float(self.pvalues.loc[a, b]), "nobs": self.nobs}
                )
        return pd.DataFrame(rows, columns=["var1", "var2", "r", "t_stat", "p_value", "nobs"])

    def eviews_table(self, digits: int = 4) -> pd.DataFrame:
        """Paper layout: lower triangle, each variable's row of r followed by a row of
        p-values ("<0.001" below 0.001); the upper triangle is "----"."""
        cols = list(self.corr.columns)
        out = []
        index = []
        for i, a in enumerate(cols):
            r_row, p_row = [], []
            for j, b in enumerate(cols):
                if j < i:
                    r_row.append(f"{self.corr.loc[a, b]:.{digits}f}")
                    p = float(self.pvalues.loc[a, b])
                    # "<0.001", not 0.0000, as the other tables print a tiny p-value
                    p_row.append("<0.001" if p < 0.001 else f"{p:.{digits}f}")
                elif j == i:
                    r_row.append(f"{1:.{digits}f}")
                    p_row.append("----")
                else:
                    r_row.append("----")
                    p_row.append("----")
            out += [r_row, p_row]
            index += [a, ""]
        return pd.DataFrame(out, index=index, columns=cols)


def correlation(df: pd.DataFrame, columns: list[str]) -> CorrelationResult:
    """Pearson correlation matrix with p-values, on rows complete in all `columns`."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")
    data = df.loc[:, list(columns)].astype(float).dropna()
    n = len(data)
    if n < 3:
        raise ValueError(f"{n} complete rows are too few for a correlation test")
    r = data.corr().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt((n - 2) / (1.0 - r**2))
    p = 2.0 * stats.t.sf(np.abs(t), n - 2)
    np.fill_diagonal(p, 0.0)
    p[np.abs(r) >= 1.0] = 0.0
    cols = list(columns)
    return CorrelationResult(
        corr=pd.DataFrame(r, index=cols, columns=cols),
        pvalues=pd.DataFrame(p, index=cols, columns=cols),
        nobs=n,
    )
