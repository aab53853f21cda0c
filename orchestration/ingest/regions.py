"""Region names as printed in sources -> region codes, with the year.

A name means a code only in certain years: 巢湖 is a prefecture-level city until 2010 and
nothing after; 毕节 is 毕节地区 (522400) until 2010 and 毕节市 (520500) from 2011; 襄樊 is the
former name of 襄阳 (420600). The alias table (`dbt_project/seeds/ref_region_aliases.csv`,
built from the geography seeds) carries each name with its code, level and validity years, and
`match_regions` matches whole columns of names against it by merging, so a 250,000-row patent
or yearbook extract is matched in well under a second: the work is per distinct (name, year).

Names are compared in a normalized form (`normalize_region_name`): NFKC (full-width letters,
digits and brackets to half-width), no whitespace of any kind, footnote marks removed
(trailing ``*``, ``①``, ``(1)``, ``¹``, digits, ``†``; leading ``*``, ``#``), case folded
(English names).
Nothing else is guessed: a name that is not in the alias table in that year is `unmatched`,
with the nearest names as candidates for a person to decide.

Pure pandas: no Dagster, no DuckDB.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from orchestration.paths import DBT_PROJECT_DIR

LEVELS = ("national", "province", "prefecture")
# When a name means the same code at several levels (a municipality is a province and a
# prefecture-level unit under one code), the match reports the highest of them.
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
MATCH_STATUSES = ("exact", "alias", "unmatched", "ambiguous")
MATCH_COLUMNS = ["region_code", "region_name", "region_level", "match_status", "candidates"]
ALIAS_COLUMNS = [
    "alias",
    "alias_norm",
    "code",
    "level",
    "alias_type",
    "valid_from",
    "valid_to",
    "region_name",
]
NATIONAL_CODE = "100000"
N_CANDIDATES = 3
# difflib ratio below which a name is not offered as a candidate; 0.4 still offers 襄阳市 for
# 襄樊市 (0.67) and 巢湖市 for 巢湖 (0.8) but not names sharing only a 市.
CANDIDATE_CUTOFF = 0.4

_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
# Footnote marks: asterisks, daggers, reference marks, circled / parenthesized / superscript
# numbers, and plain digits or bracketed digits (a region name never contains a digit).
_MARK = (
    r"[*＊#＃†‡※△▲☆★§¶]"
    r"|[\u2460-\u24ff\u2776-\u2793\u00b9\u00b2\u00b3\u2070-\u2079]"
    r"|\d+"
    r"|[(\[（【]\d*[)\]）】]"
)
_TRAILING_MARKS = re.compile(rf"(?:{_MARK})+$")
_LEADING_MARKS = re.compile(r"^[*＊#＃†‡※]+")


def normalize_region_name(name: object) -> str | None:
    """The form in which names are compared: e.g. ' 北 京 市① ' -> '北京市', 'Inner Mongolia*'
    -> 'innermongolia'. None for a missing or blank name."""
    if name is None or (isinstance(name, float) and name != name) or name is pd.NA:
        return None
    text = _INVISIBLE.sub("", str(name))
    # marks are stripped before NFKC and again after it: NFKC turns some marks into others
    text = _LEADING_MARKS.sub("", _TRAILING_MARKS.sub("", text))
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _LEADING_MARKS.sub("", _TRAILING_MARKS.sub("", text)).casefold()
    return text or None


def _normalize_series(names: pd.Series) -> pd.Series:
    uniques = pd.unique(names.astype(object))
    mapping = {value: normalize_region_name(value) for value in uniques}
    return names.astype(object).map(mapping)


def load_aliases(seeds_dir: Path | None = None) -> pd.DataFrame:
    """Read the alias table from the dbt seeds, with the normalized alias and the region's
    full name (ref_provinces, ref_admin_divisions; 全国 for the national code).

    Returns columns `ALIAS_COLUMNS`; valid_from / valid_to are nullable integers (NA = no bound).
    """
    seeds = Path(seeds_dir) if seeds_dir is not None else DBT_PROJECT_DIR / "seeds"
    aliases = pd.read_csv(seeds / "ref_region_aliases.csv", dtype=str, keep_default_na=False)
    provinces = pd.read_csv(seeds / "ref_provinces.csv", dtype=str, keep_default_na=False)
    divisions = pd.read_csv(seeds / "ref_admin_divisions.csv", dtype=str, keep_default_na=False)
    missing = {"alias", "code", "level", "alias_type", "valid_from", "valid_to"} - set(aliases)
    if missing:
        raise ValueError(f"ref_region_aliases.csv lacks columns {sorted(missing)}")

    names = pd.concat(
        [
            pd.DataFrame({"code": [NATIONAL_CODE], "level": ["national"], "region_name": ["全国"]}),
            provinces.rename(
                columns={"province_code": "code", "province_name": "region_name"}
            ).assign(level="province")[["code", "level", "region_name"]],
            divisions.rename(columns={"name": "region_name"}).assign(level="prefecture")[
                ["code", "level", "region_name"]
            ],
        ],
        ignore_index=True,
    )
    out = aliases.merge(names, on=["code", "level"], how="left", validate="many_to_one")
    orphans = out.loc[out["region_name"].isna(), ["alias", "code", "level"]]
    if not orphans.empty:
        raise ValueError("aliases pointing to no region: " + orphans.head(5).to_string(index=False))
    for column in ("valid_from", "valid_to"):
        out[column] = pd.to_numeric(out[column].replace("", None)).astype("Int64")
    out["alias_norm"] = _normalize_series(out["alias"])
    return out[ALIAS_COLUMNS].reset_index(drop=True)


def match_regions(
    names: pd.Series,
    years: pd.Series,
    aliases: pd.DataFrame,
    level: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Match region names to codes, row by row, using the names valid in each row's year.

    `names` and `years` are aligned series (a year may be missing: then every validity window
    counts, and a name that meant different codes over time is ambiguous). `aliases` is
    `load_aliases()`. `level` ('national', 'province', 'prefecture', or several of them, e.g.
    ('national', 'province') for a provincial table with its national total row) restricts the
    match to those levels; None allows all (then 吉林 is ambiguous between the province and the
    city).

    Returns a frame with the index of `names` and columns `MATCH_COLUMNS`:

    * region_code, region_name (the region's full name), region_level: the match, or NA;
    * match_status: `exact` (the official full name), `alias` (another name: short, former,
      X州, English), `ambiguous` (names of several codes in that year; an exact match beats an
      alias), `unmatched`;
    * candidates: for ambiguous rows the codes it could mean, for unmatched rows up to three
      nearest names (difflib, any year, with their validity where it excludes the row's year),
      as text such as "襄阳市 (420600 襄阳市); 襄樊市 (420600 襄阳市, until 2010)"; else NA.
    """
    levels = set(LEVELS) if level is None else {level} if isinstance(level, str) else set(level)
    if not levels or not levels <= set(LEVELS):
        raise ValueError(f"level must be one or more of {LEVELS} or None, not {level!r}")
    if len(names) != len(years):
        raise ValueError(f"names ({len(names)}) and years ({len(years)}) differ in length")

    table = aliases[aliases["level"].isin(levels)]
    rows = pd.DataFrame(
        {
            "name_norm": _normalize_series(names).to_numpy(),
            "year": pd.to_numeric(pd.Series(years).to_numpy(), errors="coerce"),
        }
    )
    rows["year"] = rows["year"].astype("Float64").round().astype("Int64")
    # the work is per distinct (name, year), however many rows share it
    row_key = rows.groupby(["name_norm", "year"], dropna=False, sort=False).ngroup().to_numpy()
    keys = rows.groupby(row_key, sort=True).first()
    keys["key"] = keys.index

    hits = keys.dropna(subset=["name_norm"]).merge(
        table, left_on="name_norm", right_on="alias_norm", how="inner"
    )
    year = hits["year"]
    in_window = year.isna() | (
        (hits["valid_from"].isna() | (hits["valid_from"] <= year))
        & (hits["valid_to"].isna() | (hits["valid_to"] >= year))
    )
    hits = hits[in_window.fillna(False).astype(bool)].copy()
    hits["is_exact"] = hits["alias_type"] == "full_name"
    hits["level_rank"] = hits["level"].map(_LEVEL_RANK)
    # an exact (official full name) match beats aliases of other codes
    has_exact = hits.groupby("key")["is_exact"].transform("any")
    hits = hits[hits["is_exact"] | ~has_exact]
    per_code = (
        hits.sort_values(
            ["key", "code", "is_exact", "level_rank"], ascending=[True, True, False, True]
        )
        .groupby(["key", "code"], as_index=False)
        .agg(
            region_name=("region_name", "first"),
            region_level=("level", "first"),
            is_exact=("is_exact", "any"),
        )
    )
    n_codes = per_code.groupby("key")["code"].transform("size")

    single = per_code[n_codes == 1].set_index("key")
    result = pd.DataFrame(index=keys.index)
    result["region_code"] = single["code"]
    result["region_name"] = single["region_name"]
    result["region_level"] = single["region_level"]
    result["match_status"] = single["is_exact"].map({True: "exact", False: "alias"})

    multi = per_code[n_codes > 1]
    if not multi.empty:
        listed = (
            (multi["region_name"] + " (" + multi["code"] + ", " + multi["region_level"] + ")")
            .groupby(multi["key"])
            .agg("; ".join)
        )
        result.loc[listed.index, "match_status"] = "ambiguous"
        result.loc[listed.index, "candidates"] = listed

    unmatched = result["match_status"].isna()
    result.loc[unmatched, "match_status"] = "unmatched"
    if unmatched.any():
        result.loc[unmatched, "candidates"] = _nearest(keys.loc[unmatched], table)
    if "candidates" not in result:
        result["candidates"] = pd.NA

    out = result.reindex(row_key)[MATCH_COLUMNS].astype("str")
    out.index = names.index
    return out


def _nearest(keys: pd.DataFrame, table: pd.DataFrame) -> pd.Series:
    """Up to N_CANDIDATES nearest names (distinct codes) for each unmatched (name, year)."""
    by_alias = {alias: group for alias, group in table.groupby("alias_norm", sort=False)}
    possibilities = list(by_alias)
    texts: dict[int, object] = {}
    for key, name, year in zip(keys.index, keys["name_norm"], keys["year"], strict=True):
        if pd.isna(name):
            texts[key] = pd.NA
            continue
        picked: list[str] = []
        seen: set[str] = set()
        for alias_norm in difflib.get_close_matches(
            name, possibilities, n=4 * N_CANDIDATES, cutoff=CANDIDATE_CUTOFF
        ):
            for row in by_alias[alias_norm].itertuples(index=False):
                if row.code in seen:
                    continue
                seen.add(row.code)
                picked.append(f"{row.alias} ({row.code} {row.region_name}{_window(row, year)})")
            if len(picked) >= N_CANDIDATES:
                break
        texts[key] = "; ".join(picked[:N_CANDIDATES]) if picked else pd.NA
    return pd.Series(texts, dtype=object)


def _window(row: object, year: object) -> str:
    """', until 2010' / ', from 2011' / ', 2011 only' when the alias is not valid in `year`."""
    start, end = row.valid_from, row.valid_to
    if pd.isna(year) or ((pd.isna(start) or start <= year) and (pd.isna(end) or end >= year)):
        return ""
    if not pd.isna(start) and not pd.isna(end):
        return f", {start} only" if start == end else f", {start}-{end}"
    return f", until {end}" if pd.isna(start) else f", from {start}"
