"""From what a reader printed to what the warehouse means: region names -> codes, indicator
names -> catalogue codes, printed units -> canonical units.

A value whose region cannot be matched (in that year), whose indicator is unknown or whose
unit cannot be converted leaves `raw` for `quality.quarantine` with the reason (and, for
regions, the names it nearly matched); nothing is guessed.
"""

from __future__ import annotations

import pandas as pd

from orchestration.ingest import schema
from orchestration.ingest.indicators import normalize_indicators
from orchestration.ingest.regions import load_aliases, match_regions


def attach_region_codes(
    values: pd.DataFrame, aliases: pd.DataFrame, target_table: str,
    level: str | tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add region_code / region_level / region_match to `values`; rows whose name is
    unmatched or ambiguous in their year go to the returned quarantine frame."""
    if values.empty:
        empty = values.assign(region_code=pd.Series(dtype="string"),
                              region_level=pd.Series(dtype="string"),
                              region_match=pd.Series(dtype="string"))
        return empty, pd.DataFrame(columns=schema.QUARANTINE)
    matched = match_regions(values["region_name"], values["year"], aliases, level=level)
    if level is None:
        matched = _resolve_levels(values, matched, aliases)
    ok = matched["match_status"].isin(["exact", "alias"])
    out = values.assign(
        region_code=matched["region_code"], region_level=matched["region_level"],
        region_match=matched["match_status"],
    )[ok.to_numpy()].reset_index(drop=True)
    bad = values[(~ok).to_numpy()]
    why = matched.loc[~ok]
    reasons = (
        why["match_status"] + " region name '" + bad["region_name"].astype(str).to_numpy()
        + "' in " + bad["year"].astype(str).to_numpy()
        + why["candidates"].fillna("").map(lambda c: f"; candidates: {c}" if c else "")
    )
    quarantine = pd.DataFrame({
        **{c: bad[c].to_numpy() for c in schema.PROVENANCE},
        "target_table": target_table,
        "value_text": bad["region_name"].astype(str).to_numpy(),
        "reason": reasons.to_numpy(),
    }, columns=schema.QUARANTINE)
    return out, quarantine


def _resolve_levels(values: pd.DataFrame, matched: pd.DataFrame,
                    aliases: pd.DataFrame) -> pd.DataFrame:
    """The level of a row whose name fits several comes from its file: the level most of
    the file's other names have. So 吉林 (the province and the city) is the city in a city
    table and the province in a provincial one, and a municipality (北京市: a province and a
    prefecture-level unit under one code) is a city among cities. Ties, and files with no
    clear level, stay ambiguous."""
    levels = pd.DataFrame({"file": values["source_file"].to_numpy(),
                           "level": matched["region_level"].to_numpy()})
    sure = matched["match_status"].isin(["exact", "alias"]).to_numpy() & (
        levels["level"] != "national").to_numpy()
    counts = levels[sure].groupby(["file", "level"]).size().unstack(fill_value=0)
    prefecture_codes = set(aliases.loc[aliases["level"] == "prefecture", "code"])
    out = matched.copy()
    ambiguous = (matched["match_status"] == "ambiguous").to_numpy()
    for file, row in counts.iterrows():
        ranked = row.sort_values(ascending=False)
        if len(ranked) > 1 and ranked.iloc[0] == ranked.iloc[1]:
            continue
        dominant = ranked.index[0]
        in_file = (values["source_file"] == file).to_numpy()
        if dominant == "prefecture":
            twin = in_file & (out["region_level"] == "province").to_numpy() & out[
                "region_code"].isin(prefecture_codes).to_numpy()
            out.loc[out.index[twin], "region_level"] = "prefecture"
        rows = ambiguous & in_file
        if not rows.any():
            continue
        again = match_regions(values.loc[rows, "region_name"], values.loc[rows, "year"],
                              aliases, level=(dominant, "national"))
        resolved = again["match_status"].isin(["exact", "alias"])
        out.loc[again.index[resolved]] = again[resolved]
    return out


def normalize_yearbook_values(
    values: pd.DataFrame, target_table: str, level: str | tuple[str, ...] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regions, then indicators and units; returns (rows with every schema.NORMALIZED
    column, quarantined rows)."""
    located, bad_regions = attach_region_codes(values, load_aliases(), target_table, level)
    normalized, bad_indicators = normalize_indicators(located, target_table=target_table)
    quarantine = pd.concat([bad_regions, bad_indicators[schema.QUARANTINE]], ignore_index=True)
    return normalized, quarantine
