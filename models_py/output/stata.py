"""Stata .dta files with variable and dataset labels (pandas' writer, format 118: UTF-8)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

# Stata limits (help limits): names 32 characters of [A-Za-z0-9_] not starting with a
# digit, labels 80 characters, str# up to 2045 bytes (longer text must be strL).
NAME_MAX = 32
LABEL_MAX = 80
STR_MAX = 2045
_RESERVED = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with",
}


def truncate(text: str, limit: int = LABEL_MAX) -> str:
    """`text` on one line, cut to `limit` characters with "..." when it is longer."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def stata_names(columns: list[str]) -> dict[str, str]:
    """Column -> a valid, unique Stata variable name (unchanged when already valid)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", str(column)) or "var"
        if name[0].isdigit():
            name = f"_{name}"
        if name in _RESERVED:
            name = f"{name}_"
        name = name[:NAME_MAX]
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = name[: NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.lower())
        out[str(column)] = candidate
    return out


def _stata_ready(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Types Stata can hold; returns the frame and the columns that need strL."""
    df = pd.DataFrame(index=frame.index)
    strl: list[str] = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            # Stata has no boolean; a nullable boolean with missing values becomes float.
            df[column] = (series.astype("float64") if series.isna().any()
                          else series.astype("int8"))
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            df[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_datetime64_any_dtype(series):
            df[column] = series
        elif pd.api.types.is_integer_dtype(series):
            df[column] = series.astype("float64") if series.isna().any() else series
        elif pd.api.types.is_numeric_dtype(series):
            df[column] = series.astype("float64")
        else:
            text = series.map(lambda v: "" if v is None or v is pd.NA or (
                isinstance(v, float) and v != v) else str(v)).astype(object)
            df[column] = text
            longest = max((len(v.encode("utf-8")) for v in text), default=0)
            if longest > STR_MAX:
                strl.append(column)
    return df, strl


def write_dta(
    frame: pd.DataFrame,
    path: Path,
    variable_labels: dict[str, str] | None = None,
    dataset_label: str = "",
) -> Path:
    """Write `frame` as a Stata 14+ .dta (format 118, UTF-8 names and labels).

    Column names are made Stata-safe (`stata_names`), labels (keyed by the original
    column names) and the dataset label cut to 80 characters, text longer than 2045
    bytes stored as strL; booleans become 0/1, timezone-aware times UTC. Returns `path`.
    """
    names = stata_names(list(frame.columns))
    df, strl = _stata_ready(frame.reset_index(drop=True))
    df = df.rename(columns=names)
    labels = {names[c]: truncate(label) for c, label in (variable_labels or {}).items()
              if c in names and label}
    df.to_stata(
        Path(path),
        write_index=False,
        version=118,
        variable_labels=labels,
        data_label=truncate(dataset_label) if dataset_label else None,
        convert_strl=[names[c] for c in strl],
    )
    return Path(path)
