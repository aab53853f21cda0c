"""Report layer: where a study's numbers come from (the provenance every output prints).

Whether a study's inputs are synthetic is decided from the landing files that feed its
marts (found on the dbt graph) and, for long yearbook exports, from the files that carry
the indicators the study reads; so the study on the real provincial tables is not
labelled synthetic because the city demo data are. The outputs themselves are rendered by
`models_py.output.study_outputs`.
"""


import pandas as pd
from dagster import AssetKey
from dagster_dbt import get_asset_key_for_model

from models_py.studies.spec import StudySpec, required_columns
from orchestration.assets.dbt import dri_dbt_models
from orchestration.automation import RAW_ASSET_BY_KIND

_KIND_BY_RAW_ASSET = {key: kind for kind, key in RAW_ASSET_BY_KIND.items()}
# The yearbook values reach the panels through these intermediate tables, which keep the
# source file of every value they carry; the files behind the columns a study reads can so be
# told apart from the other files of their kind (the real S&T tables from the synthetic
# provincial demo export; the city demo yearbooks, read into the same raw table as a
# provincial portal table would be, from the province panel).
_VALUE_TABLES = {"int_province_indicators": "intermediate.int_province_indicators",
                 "int_city_indicators_converted": "intermediate.int_city_indicators_converted"}
_YEARBOOK_KINDS = ("city_yearbook", "yearbook_long")


def mart_keys(spec: StudySpec) -> list[AssetKey]:
    """The dbt assets of the marts the spec reads (its panel, then the joined marts).

    A mart dbt does not know (yet) becomes a plain key ``[schema, table]``: the other
    studies still load, and this one's tables fail at run time naming the missing
    columns, instead of the whole code location failing to load."""
    keys = []
    for mart in spec.marts:
        schema, table = mart.split(".", 1)
        try:
            keys.append(get_asset_key_for_model([dri_dbt_models], table))
        except KeyError:
            keys.append(AssetKey([schema, table]))
    return keys


def _lineage(spec: StudySpec) -> tuple[set[str], set[str]]:
    """(kinds of landing file, dbt model names) upstream of the spec's marts."""
    specs = {s.key: s for s in dri_dbt_models.specs}
    seen: set[AssetKey] = set()
    stack = mart_keys(spec)
    kinds: set[str] = set()
    while stack:
        key = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        if key in _KIND_BY_RAW_ASSET:
            kinds.add(_KIND_BY_RAW_ASSET[key])
        if key in specs:
            stack += [dep.asset_key for dep in specs[key].deps]
    return kinds, {key.path[-1] for key in seen}


def landing_kinds(spec: StudySpec) -> list[str]:
    """Kinds of landing file upstream of the spec's mart, found on the dbt graph."""
    return sorted(_lineage(spec)[0])


def study_provenance(con, spec: StudySpec, kinds: list[str]) -> pd.DataFrame:
    """The current landing files the study's numbers come from, with sha256 and the
    synthetic flag (empty before any load)."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_schema = 'raw' AND table_name = 'landing_files'"
                         ).fetchone()[0]
    if not exists or not kinds:
        return pd.DataFrame(columns=["source_file", "kind", "source_sha256", "synthetic"])
    files = con.execute(
        "SELECT source_file, kind, source_sha256, synthetic, producer, rows_loaded "
        "FROM raw.landing_files WHERE status = 'current' AND list_contains(?, kind) "
        "ORDER BY kind, source_file", [kinds]).df()
    used = _yearbook_files_used(con, spec)
    if used is not None:
        keep = ~files["kind"].isin(_YEARBOOK_KINDS) | files["source_file"].isin(used)
        files = files[keep]
    return files.reset_index(drop=True)


def _yearbook_files_used(con, spec: StudySpec) -> set[str] | None:
    """Yearbook files whose values the study's columns are built from, or None when that
    cannot be told (no value table upstream, or only columns derived in dbt: then every
    yearbook file of the lineage counts)."""
    _, models = _lineage(spec)
    columns = sorted(required_columns(spec))
    used: set[str] = set()
    found_any = False
    for model, table in _VALUE_TABLES.items():
        if model not in models:
            continue
        schema, name = table.split(".")
        if not con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema = ? AND table_name = ?", [schema, name]
                           ).fetchone()[0]:
            return None
        rows = con.execute(
            f"SELECT DISTINCT source_file FROM {table} WHERE list_contains(?, indicator_code) "
            "OR list_contains(?, indicator_code || '_imputed')", [columns, columns]).df()
        if len(rows):
            found_any = True
            used |= set(rows["source_file"])
        else:
            used |= set(con.execute(f"SELECT DISTINCT source_file FROM {table}").df()[
                "source_file"])
    return used if found_any else None


def source_note(files: pd.DataFrame) -> tuple[str, bool]:
    synthetic = bool(files["synthetic"].fillna(False).astype(bool).any()) if len(files) else False
    n_syn = int(files["synthetic"].fillna(False).astype(bool).sum()) if len(files) else 0
    note = (f"Source: {len(files)} landing file(s) in raw.landing_files"
            + (f", {n_syn} of them SYNTHETIC" if n_syn else ", none synthetic") + ".")
    return note, synthetic
