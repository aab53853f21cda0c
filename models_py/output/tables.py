"""Regression tables in the layout of Stata's esttab, and their Markdown rendering.

The table is a plain DataFrame of strings so it can be written to Markdown here, and
to LaTeX/Excel by other renderers, without re-formatting numbers:

    ============  ==========  ==========
                  (1) base    (2) robust
    ============  ==========  ==========
    x             0.123***    0.118**
                  (0.031)     (0.047)
    N             2970        2970
    R² (within)   0.412       0.398
    Mean of dep.  2.315       2.315
    Clusters      198         198
    City FE       Yes         Yes
    Year FE       Yes         No
    ============  ==========  ==========
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # hints only: models_py.panel loads linearmodels and scipy
    from models_py.panel import PanelResult

STAT_ROWS = ("N", "R² (within)")
MEAN_ROW = "Mean of dep. var."
CLUSTERS_ROW = "Clusters"


def clusters(result: PanelResult) -> str:
    """Number of clusters of the standard errors as esttab's N_clust prints it ("" when the
    errors are not clustered; entities × periods for two-way clustering)."""
    cov = str(getattr(result, "cov_type", ""))
    if cov == "clustered_entity" and result.n_entities:
        return f"{result.n_entities:d}"
    if cov == "clustered_twoway" and result.n_entities:
        return f"{result.n_entities:d} × {result.n_periods:d}"
    return ""


def _stars(pvalue: float, thresholds: Sequence[float]) -> str:
    """One star per threshold the p-value is below (esttab's star(* 0.1 ** 0.05 *** 0.01))."""
    if pvalue != pvalue:  # NaN: no test, no stars
        return ""
    return "*" * sum(pvalue < t for t in thresholds)


def star_note(stars: Sequence[float] = (0.1, 0.05, 0.01)) -> str:
    """The legend for `stars`, e.g. "* p<0.1, ** p<0.05, *** p<0.01"."""
    ordered = sorted(stars, reverse=True)
    return ", ".join(f"{'*' * (i + 1)} p<{t:g}" for i, t in enumerate(ordered))


def regression_table(
    results: list[PanelResult],
    stars: Sequence[float] = (0.1, 0.05, 0.01),
    digits: int = 3,
    labels: dict[str, str] | None = None,
    fe_labels: tuple[str, str] = ("City FE", "Year FE"),
) -> pd.DataFrame:
    """Side-by-side coefficient table, one column per model, like esttab.

    Rows: for every coefficient its estimate with significance stars, and beneath it
    the standard error in parentheses (the row label of a standard-error row is ""),
    then N, R² (within), the mean of the dependent variable (when the models carry it)
    and the number of clusters (when any model's errors are clustered), as esttab users
    add with ``estadd``/``stats(N r2 ymean N_clust)``, and Yes/No rows for the entity and
    year effects (named by `fe_labels`). Terms appear in the order of `labels` (if given),
    then in the order they first appear in the models; a model without a term has an empty cell.
    Columns are "(1) <model name>", "(2) <model name>", ...

    Args:
        results: fitted models, in column order.
        stars: p-value thresholds; a coefficient gets one star per threshold its
            p-value is below.
        digits: decimals for coefficients, standard errors and R².
        labels: display names for terms, e.g. {"dig_index": "Digital economy"}.
        fe_labels: row names for the entity and time effects.
    """
    if not results:
        raise ValueError("results is empty: nothing to tabulate")
    if digits < 0:
        raise ValueError("digits must be non-negative")
    labels = dict(labels or {})

    seen: dict[str, None] = {}
    for term in labels:
        if any(term in r.params.index for r in results):
            seen[term] = None
    for r in results:
        for term in r.params.index:
            seen.setdefault(str(term), None)
    terms = list(seen)

    columns = [f"({i}) {r.name}" for i, r in enumerate(results, start=1)]
    index: list[str] = []
    rows: list[list[str]] = []
    for term in terms:
        coef_row, se_row = [], []
        for r in results:
            if term in r.params.index:
                coef_row.append(
                    f"{r.params[term]:.{digits}f}{_stars(float(r.pvalues[term]), stars)}"
                )
                se_row.append(f"({r.std_errors[term]:.{digits}f})")
            else:
                coef_row.append("")
                se_row.append("")
        index += [labels.get(term, term), ""]
        rows += [coef_row, se_row]

    index += list(STAT_ROWS)
    rows.append([f"{r.nobs:d}" for r in results])
    rows.append([f"{r.r2_within:.{digits}f}" for r in results])
    means = [float(getattr(r, "dep_mean", float("nan"))) for r in results]
    if any(m == m for m in means):
        index.append(MEAN_ROW)
        rows.append(["" if m != m else f"{m:.{digits}f}" for m in means])
    counts = [clusters(r) for r in results]
    if any(counts):
        index.append(CLUSTERS_ROW)
        rows.append(counts)
    index += list(fe_labels)
    rows.append(["Yes" if r.entity_effects else "No" for r in results])
    rows.append(["Yes" if r.time_effects else "No" for r in results])

    return pd.DataFrame(rows, index=pd.Index(index, name=""), columns=columns, dtype=object)


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    # A pipe would end the cell; a newline would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(table: pd.DataFrame, title: str, note: str) -> str:
    """GitHub-flavoured Markdown: bold title, pipe table (index as first column), note.

    Text columns are left-aligned, the model columns right-aligned so decimals line
    up as in a printed table.
    """
    header = [_cell(table.index.name or ""), *(_cell(c) for c in table.columns)]
    align = [":---", *("---:" for _ in table.columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(align) + "|",
    ]
    for label, row in zip(table.index, table.itertuples(index=False), strict=True):
        cells = [_cell(label), *(_cell(v) for v in row)]
        lines.append("| " + " | ".join(cells) + " |")
    parts = []
    if title:
        parts.append(f"**{_cell(title)}**")
    parts.append("\n".join(lines))
    if note:
        parts.append(note.strip())
    return "\n\n".join(parts) + "\n"
