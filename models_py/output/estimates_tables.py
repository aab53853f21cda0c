"""Tidy rows of one study table for the warehouse's `estimates` schema.

Three tables, each keyed by (study, table_name, ...), so a study's table replaces its own
rows on a rerun and SQL can compare models across studies; every row says whether its
study ran on SYNTHETIC inputs (``synthetic``), as the real-data study shares the schema:

* ``estimates.models``: one row per fitted model shown in a table;
* ``estimates.coefficients``: one row per model x term;
* ``estimates.tests``: one row per statistical test a table reports.

The column names and meanings are in `COLUMNS` (also the `dri export` Stata labels).
Models may be any result object with ``coefficients_frame()`` (PanelResult,
ThresholdResult, ...); fit statistics are read from the attributes they have.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

KEY_COLUMNS = {
    "study": ("VARCHAR", "Study id: the specification file's stem (models_py/studies/specs)"),
    "table_name": ("VARCHAR", "Table id within the study (the spec's tables key)"),
    "synthetic": ("BOOLEAN", "The study's inputs include SYNTHETIC demo data (flagged landing "
                             "files): not real statistics"),
}
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "models": {
        **KEY_COLUMNS,
        "model_order": ("INTEGER", "Column number of the model in the table, from 1"),
        "model": ("VARCHAR", "Column header of the model in the table, e.g. (4) ln SEI revenue"),
        "model_name": ("VARCHAR", "Name the estimator gave the model"),
        "dependent": ("VARCHAR", "Dependent variable"),
        "nobs": ("BIGINT", "Observations used"),
        "n_entities": ("BIGINT", "Cross-sectional units (entities) in the sample"),
        "n_periods": ("BIGINT", "Time periods in the sample"),
        "r2_within": ("DOUBLE", "Within R-squared (after the fixed effects are absorbed)"),
        "r2_overall": ("DOUBLE", "R-squared of the whole model including fixed effects"),
        "dep_mean": ("DOUBLE", "Mean of the dependent variable on the rows used"),
        "adj_r2": ("DOUBLE", "Adjusted within R-squared"),
        "f_stat": ("DOUBLE", "F statistic: all slope coefficients zero"),
        "f_pvalue": ("DOUBLE", "p-value of f_stat"),
        "cov_type": ("VARCHAR", "Covariance estimator of the standard errors"),
        "entity_effects": ("BOOLEAN", "Entity fixed effects included"),
        "time_effects": ("BOOLEAN", "Time fixed effects included"),
    },
    "coefficients": {
        **KEY_COLUMNS,
        "model_order": ("INTEGER", "Column number of the model in the table, from 1"),
        "model": ("VARCHAR", "Column header of the model in the table, e.g. (4) ln SEI revenue"),
        "model_name": ("VARCHAR", "Name the estimator gave the model"),
        "term": ("VARCHAR", "Regressor (panel column or derived variable)"),
        "estimate": ("DOUBLE", "Point estimate of the coefficient"),
        "std_error": ("DOUBLE", "Standard error (the model's cov_type)"),
        "t_stat": ("DOUBLE", "t statistic, estimate / std_error"),
        "p_value": ("DOUBLE", "Two-sided p-value"),
        "conf_low": ("DOUBLE", "Lower bound of the 95% confidence interval"),
        "conf_high": ("DOUBLE", "Upper bound of the 95% confidence interval"),
    },
    "tests": {
        **KEY_COLUMNS,
        "test_order": ("INTEGER", "Row number of the test in the table's test list, from 1"),
        "model": ("VARCHAR", "Model or variable the test is about (may be empty)"),
        "test": ("VARCHAR", "Test name"),
        "statistic": ("DOUBLE", "Test statistic"),
        "df": ("VARCHAR", "Degrees of freedom (or bootstrap draws), as reported"),
        "p_value": ("DOUBLE", "p-value"),
        "distribution": ("VARCHAR", "Reference distribution: chi2, F, normal, bootstrap, ..."),
        "null_hypothesis": ("VARCHAR", "The null hypothesis in words"),
        "note": ("VARCHAR", "Other remark"),
    },
}
TABLE_DESCRIPTIONS = {
    "models": "One row per fitted model of a study table (fit statistics).",
    "coefficients": "One row per model x term of a study table.",
    "tests": "One row per statistical test reported by a study table.",
}
_MODEL_ATTRS = ["dependent", "nobs", "n_entities", "n_periods", "r2_within", "r2_overall",
                "dep_mean", "adj_r2", "f_stat", "f_pvalue", "cov_type", "entity_effects",
                "time_effects"]


def ddl(table: str, schema: str = "estimates") -> str:
    """CREATE TABLE statement with the declared column types."""
    cols = ", ".join(f'"{name}" {sql_type}' for name, (sql_type, _) in COLUMNS[table].items())
    return f"CREATE TABLE IF NOT EXISTS {schema}.{table} ({cols})"


def _labels(models: Sequence[Any], labels: Sequence[str]) -> list[str]:
    """Column headers as the table prints them: "(4) ln SEI revenue"."""
    out = []
    for i in range(len(models)):
        label = str(labels[i]) if i < len(labels) and labels[i] else ""
        out.append(label if label.startswith("(") else f"({i + 1}) {label}".rstrip())
    return out


def _scalar(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Exactly the declared columns, in order (missing ones as null)."""
    columns = list(COLUMNS[table])
    return frame.reindex(columns=columns).astype(object).where(frame.reindex(
        columns=columns).notna(), None)


def models_frame(study: str, table_name: str, models: Sequence[Any],
                 labels: Sequence[str], synthetic: bool | None = None) -> pd.DataFrame:
    """One row per model: identification and the fit statistics the model has."""
    rows = []
    for i, (model, label) in enumerate(zip(models, _labels(models, labels), strict=True)):
        row = {"study": study, "table_name": table_name, "synthetic": synthetic,
               "model_order": i + 1, "model": label,
               "model_name": str(getattr(model, "name", label))}
        for attr in _MODEL_ATTRS:
            row[attr] = _scalar(getattr(model, attr, None))
        rows.append(row)
    return _conform(pd.DataFrame(rows, columns=list(COLUMNS["models"])), "models")


def coefficients_frame(study: str, table_name: str, models: Sequence[Any],
                       labels: Sequence[str], synthetic: bool | None = None) -> pd.DataFrame:
    """One row per model x term, from each model's own coefficients_frame()."""
    parts = []
    for i, (model, label) in enumerate(zip(models, _labels(models, labels), strict=True)):
        coefs = model.coefficients_frame().copy()
        if hasattr(model, "thresholds_frame"):
            # a threshold model's thresholds are estimates too: gamma with its LR interval
            gammas = model.thresholds_frame()
            coefs = pd.concat([coefs, pd.DataFrame({
                "term": "threshold_" + gammas["threshold"], "estimate": gammas["estimate"],
                "conf_low": gammas["conf_low"], "conf_high": gammas["conf_high"],
            })], ignore_index=True)
        coefs["model_name"] = coefs["model"].astype(str) if "model" in coefs else str(
            getattr(model, "name", label))
        coefs = coefs.assign(study=study, table_name=table_name, synthetic=synthetic,
                             model_order=i + 1, model=label)
        parts.append(coefs)
    if not parts:
        return _conform(pd.DataFrame(columns=list(COLUMNS["coefficients"])), "coefficients")
    return _conform(pd.concat(parts, ignore_index=True), "coefficients")


def tests_frame(study: str, table_name: str, tests: pd.DataFrame | None,
                synthetic: bool | None = None) -> pd.DataFrame:
    """The table's tests (columns test, statistic, df, p_value, note) with the keys."""
    if tests is None or tests.empty:
        return _conform(pd.DataFrame(columns=list(COLUMNS["tests"])), "tests")
    out = tests.copy().reset_index(drop=True).rename(columns={"null": "null_hypothesis"})
    if "df" in out:
        out["df"] = [None if v is None or (isinstance(v, float) and math.isnan(v)) else
                     (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                     for v in out["df"]]
    for column in ("statistic", "p_value"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    out = out.assign(study=study, table_name=table_name, synthetic=synthetic,
                     test_order=range(1, len(out) + 1))
    return _conform(out, "tests")
