"""Display cells shared by the table renderers (Markdown, LaTeX, Excel, HTML).

A study table is a DataFrame of strings (esttab-like regression tables, already formatted)
or of numbers (statistics tables). The renderers all go through `display_cells` so one
number is printed the same way in every format.
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd

# Rows and columns that hold counts (printed as integers even when stored as floats, e.g.
# the "Observations" row of a descriptive table) and p-values (printed "<0.001" below
# 0.001 instead of 0.000 or 1.00e-05).
COUNT_LABELS = frozenset({"observations", "n", "obs.", "clusters", "bootstrap draws",
                          "cross_sections", "nobs", "n_entities", "n_periods"})
P_LABELS = frozenset({"p_value", "p-value", "p value", "probability", "p"})
P_FLOOR = 0.001
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_CARET = re.compile(r"\^(?:\{(-?\d+)\}|(-?\d+))")


def superscripts(text: str) -> str:
    """Plain-text powers as superscripts: "diff^2" -> "diff²", "x^{-1}" -> "x⁻¹", so a
    note prints the same in Markdown, HTML and LaTeX (which sets ² as \\textsuperscript)
    instead of a literal caret."""
    return _CARET.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUPERSCRIPT), str(text))


def format_p(value: object, digits: int = 3) -> str:
    """A p-value as esttab users read it: "<0.001" below 0.001, else `digits` decimals."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    number = float(value)
    if math.isnan(number):
        return ""
    return f"<{P_FLOOR:g}" if number < P_FLOOR else f"{number:.{digits}f}"


def p_equals(value: float, digits: int = 3) -> str:
    """"p = 0.123" or "p < 0.001" for a note."""
    text = format_p(value, digits)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


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
    return superscripts(str(value))


def _kind(label: object) -> str:
    text = str(label).strip().lower()
    if text in COUNT_LABELS:
        return "count"
    if text in P_LABELS:
        return "p"
    return ""


def _format_as(value: object, kind: str, digits: int) -> str:
    if kind == "count" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
    if kind == "p" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return format_p(value, digits)
    return format_cell(value, digits)


def display_cells(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """The table with every cell (and the row labels) as the string to print. Count rows
    or columns (`COUNT_LABELS`) print as integers, p-value rows or columns (`P_LABELS`)
    as "<0.001" below 0.001."""
    if has_row_labels(frame):
        rows = [_kind(v) for v in frame.index]
    elif len(frame.columns) and not pd.api.types.is_numeric_dtype(frame.iloc[:, 0]):
        # a statistics table whose first column names the rows ("p-value", "Observations")
        rows = [_kind(v) for v in frame.iloc[:, 0]]
    else:
        rows = [""] * len(frame)
    columns = [_kind(c) for c in frame.columns]
    cells = pd.DataFrame(
        [[_format_as(v, rows[i] or columns[j], digits) for j, v in enumerate(row)]
         for i, row in enumerate(frame.itertuples(index=False))],
        index=frame.index, columns=frame.columns, dtype=object)
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
