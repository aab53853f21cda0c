"""Display cells shared by the table renderers (Markdown, LaTeX, Excel, HTML).

A study table is a DataFrame of strings (esttab-like regression tables, already formatted)
or of numbers (statistics tables). The renderers all go through `display_cells` so one
number is printed the same way in every format.
"""

from __future__ import annotations

import math
import numbers

import pandas as pd


def has_row_labels(frame: pd.DataFrame) -> bool:
    """Whether the index carries row labels worth printing (not a bare 0..n-1 range)."""
    return not isinstance(frame.index, pd.RangeIndex)


def format_cell(value: object, digits: int = 3) -> str:
    """One value as printed: floats to `digits` decimals (scientific below 10^-digits so a
    tiny p-value does not print as 0.000), integers as they are, missing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        if number != 0 and abs(number) < 10.0 ** -digits:
            return f"{number:.2e}"
        return f"{number:.{digits}f}"
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def display_cells(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """The table with every cell (and the row labels) as the string to print."""
    cells = frame.map(lambda v: format_cell(v, digits)).astype(object)
    if has_row_labels(frame):
        cells.index = pd.Index([format_cell(v, digits) for v in frame.index],
                               name=frame.index.name)
    return cells


def regression_blocks(frame: pd.DataFrame) -> tuple[int, int]:
    """Split an esttab-like table into (coefficient rows, statistic rows) counts.

    Coefficient rows come in pairs, the estimate then its standard error (or t) in a
    row whose label is ""; the statistics (N, R², fixed-effect Yes/No rows) follow the
    last such pair.
    """
    labels = [str(v) for v in frame.index]
    last_se = max((i for i, label in enumerate(labels) if label == ""), default=-1)
    return last_se + 1, len(labels) - (last_se + 1)
