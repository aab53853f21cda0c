"""A common result type for hypothesis tests, so every test lands in one tidy table.

Each test is one `StatTest`; `tests_frame` stacks several into the long layout of
``estimates.tests`` (one row per test: name, statistic, degrees of freedom, p-value,
the reference distribution and the null hypothesis in words).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class StatTest:
    """One hypothesis test.

    ``df`` holds the degrees of freedom as text ("2", "9, 188") because F tests have
    two; ``distribution`` names the reference distribution ("chi2", "F", "normal",
    "chibar2", "bootstrap").
    """

    test: str
    statistic: float
    p_value: float
    distribution: str
    df: str = ""
    null: str = ""
    model: str = ""

    def __post_init__(self) -> None:
        # Library tests return numpy scalars; keep plain floats so frames and reprs are clean.
        object.__setattr__(self, "statistic", float(self.statistic))
        object.__setattr__(self, "p_value", float(self.p_value))

    def frame(self) -> pd.DataFrame:
        """One row: model, test, statistic, df, p_value, distribution, null."""
        return tests_frame([self])


def tests_frame(tests: Iterable[StatTest]) -> pd.DataFrame:
    """Stack tests into one frame, one row per test."""
    rows = [
        {
            "model": t.model,
            "test": t.test,
            "statistic": float(t.statistic),
            "df": t.df,
            "p_value": float(t.p_value),
            "distribution": t.distribution,
            "null": t.null,
        }
        for t in tests
    ]
    columns = ["model", "test", "statistic", "df", "p_value", "distribution", "null"]
    return pd.DataFrame(rows, columns=columns)
