"""Corrected editions: when two landing files print the same value, the newer file wins.

A value's identity is what it measures — region code, year, indicator code, scope — not the
file it came from nor how the region or indicator is spelled in it ("石 家 庄" in one edition,
石家庄市 in the next), so a corrected workbook for one yearbook-year replaces exactly the values
it reprints; values only the older file holds stay. The older file itself stays in the
archive and in `raw.landing_files` with the number of its values that were superseded.
"""

from __future__ import annotations

import pandas as pd

VALUE_KEY = ["year", "region_code", "indicator_code", "scope"]


def keep_latest(
    values: pd.DataFrame, precedence: list[str], key: list[str] = VALUE_KEY
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Keep, for each value key, the rows of the file that comes first in `precedence`
    (relative paths, newest first). Returns (kept rows, superseded row count per file)."""
    if values.empty:
        return values, {}
    rank = {relpath: i for i, relpath in enumerate(precedence)}
    file_rank = values["source_file"].map(rank)
    if file_rank.isna().any():
        missing = sorted(values.loc[file_rank.isna(), "source_file"].unique())
        raise ValueError(f"files without a precedence: {missing}")
    # NULL scope (long exports) must compare equal to NULL scope.
    key_frame = values[key].astype("string").fillna("\\x00")
    best = file_rank.groupby([key_frame[c] for c in key], sort=False).transform("min")
    kept = file_rank == best
    superseded = values.loc[~kept, "source_file"].value_counts().to_dict()
    return values[kept].reset_index(drop=True), {k: int(v) for k, v in superseded.items()}
