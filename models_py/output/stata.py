"""Stata .dta files with variable and dataset labels (pandas' writer, format 118: UTF-8).

Made for ``xtset`` without preparation:

* region codes (``city_code``, ``province_code``, ... : columns named ``*_code`` whose values
  are all digits without a leading zero) are written as numeric ``long`` under their own
  name, and the text kept beside them as ``<name>_str`` (``str6``, for merges with
  files that hold the code as text), so ``xtset city_code year`` works with no
  ``destring``;
* rows are sorted by the panel keys (entity, time) when the table has them
  (`sort_keys`), by study, table and model / test order for the estimates tables;
* labels are plain text: Markdown (``**bold**``, ``*emphasis*``, backticks, links) from the
  dbt descriptions is stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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


# Entity keys in the order they are preferred, and time keys (the warehouse's panels).
ENTITY_KEYS = ("county_code", "city_code", "province_code", "region_code", "entity")
TIME_KEYS = ("year", "period", "date")
ESTIMATES_KEYS = ("study", "table_name")
ESTIMATES_ORDER = ("model_order", "test_order")
CODE_SUFFIX = "_str"
_CODE = re.compile(r"^[1-9]\d{0,8}$")  # fits a Stata long (< 2,147,483,620)
_MARKDOWN = [
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"`([^`]*)`"), r"\1"),  # `code` -> code
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # **bold** / __bold__
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"(?m)^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*)"), ""),  # headings, bullets, quotes
]


def plain_text(text: str) -> str:
    """`text` without Markdown markup: "**skeleton definition**: the `city_code`" ->
    "skeleton definition: the city_code". Underscores inside words stay."""
    out = str(text)
    for pattern, repl in _MARKDOWN:
        out = pattern.sub(repl, out)
    return out


def sort_keys(columns: Iterable[str]) -> list[str]:
    """Columns to sort an export by: (entity, time) of a panel, else the keys of an
    estimates table; [] when the table has neither (its order is kept)."""
    cols = list(columns)
    entity = next((c for c in ENTITY_KEYS if c in cols), None)
    time = next((c for c in TIME_KEYS if c in cols), None)
    if entity and time:
        return [entity, time]
    if all(k in cols for k in ESTIMATES_KEYS):
        return [*ESTIMATES_KEYS, *(c for c in ESTIMATES_ORDER if c in cols)]
    return [entity] if entity else []


def code_columns(frame: pd.DataFrame) -> list[str]:
    """Text columns named ``*_code`` whose values are all digit strings without a leading
    zero (administrative region codes): these are written as numbers."""
    out = []
    for column in frame.columns:
        if not str(column).endswith("_code") or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].dropna()
        if len(values) and values.map(lambda v: isinstance(v, str) and bool(_CODE.match(v))
                                      ).all():
            out.append(column)
    return out


def dataset_label(relation: str, synthetic_studies: Sequence[str] = (),
                  real_studies: Sequence[str] = (), warehouse_synthetic: bool = False) -> str:
    """The .dta dataset label (at most 80 characters). For a table with a per-study
    ``synthetic`` column (the estimates schema) it names the SYNTHETIC studies (and the
    real ones when they fit), else it says SYNTHETIC when the warehouse's inputs are."""
    base = f"{relation} (DRI Warehouse)"
    if not synthetic_studies and not real_studies:
        return f"SYNTHETIC demo inputs: {base}" if warehouse_synthetic else base
    if not synthetic_studies:
        return f"{base}: real inputs only"
    syn = ", ".join(synthetic_studies)
    candidates = [f"{relation}: SYNTHETIC {syn}; real {', '.join(real_studies)}",
                  f"{relation}: SYNTHETIC studies {syn}",
                  f"{relation}: SYNTHETIC {len(synthetic_studies)} of "
                  f"{len(synthetic_studies) + len(real_studies)} studies (see synthetic)"]
    if not real_studies:
        candidates = [f"SYNTHETIC demo inputs: {base}", *candidates[1:]]
    return next((c for c in candidates if len(c) <= LABEL_MAX), candidates[-1])


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
    sort_by: Sequence[str] | None = None,
    numeric_codes: bool = True,
) -> Path:
    """Write `frame` as a Stata 14+ .dta (format 118, UTF-8 names and labels).

    Column names are made Stata-safe (`stata_names`), labels (keyed by the original
    column names) stripped of Markdown and, like the dataset label, cut to 80
    characters; text longer than 2045 bytes stored as strL; booleans become 0/1,
    timezone-aware times UTC. With `numeric_codes` the region codes (`code_columns`) are
    numeric (long) and their text kept as ``<code>_str``; rows are sorted by `sort_by`
    (default `sort_keys`: entity and time of a panel; ``[]`` keeps the order). Returns
    `path`.
    """
    frame = frame.reset_index(drop=True)
    labels_in = {str(c): plain_text(t) for c, t in (variable_labels or {}).items() if t}
    if numeric_codes:
        for column in code_columns(frame):
            at = list(frame.columns).index(column)
            text_name = f"{column}{CODE_SUFFIX}"
            frame.insert(at + 1, text_name, frame[column])
            frame[column] = frame[column].map(lambda v: None if pd.isna(v) else int(v)
                                              ).astype("Int64")
            if frame[column].notna().all():
                frame[column] = frame[column].astype("int64")
            text = labels_in.get(str(column), "")
            labels_in[text_name] = f"{column} as text{': ' + text if text else ''}"
    keys = list(sort_by) if sort_by is not None else sort_keys(frame.columns)
    if keys:
        frame = frame.sort_values(keys, kind="stable", na_position="last").reset_index(
            drop=True)
    names = stata_names(list(frame.columns))
    df, strl = _stata_ready(frame)
    df = df.rename(columns=names)
    labels = {names[c]: truncate(label) for c, label in labels_in.items()
              if c in names and label}
    df.to_stata(
        Path(path),
        write_index=False,
        version=118,
        variable_labels=labels,
        data_label=truncate(plain_text(dataset_label)) if dataset_label else None,
        convert_strl=[names[c] for c in strl],
    )
    return Path(path)
