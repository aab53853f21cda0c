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
# Long exports carry one indicator per value and the province panel is wide by indicator
# code, so the files behind the columns a study reads can be told apart from the other
# files of the kind (the real S&T tables from the synthetic provincial demo export).
_INDICATOR_TABLES = {"yearbook_long": "raw.yearbook_long_values"}


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


def landing_kinds(spec: StudySpec) -> list[str]:
    """Kinds of landing file upstream of the spec's mart, found on the dbt graph."""
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
    return sorted(kinds)


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
    columns = sorted(required_columns(spec))
    for kind, table in _INDICATOR_TABLES.items():
        if kind not in kinds:
            continue
        used = con.execute(
            f"SELECT DISTINCT source_sha256 FROM {table} "
            "WHERE list_contains(?, indicator_code) OR list_contains(?, indicator_code || "
            "'_imputed')", [columns, columns]).df()["source_sha256"]
        if not files["source_sha256"].isin(set(used)).any():
            continue  # columns derived in dbt: no file can be singled out, so keep them all
        keep = (files["kind"] != kind) | files["source_sha256"].isin(set(used))
        files = files[keep]
    return files.reset_index(drop=True)


def source_note(files: pd.DataFrame) -> tuple[str, bool]:
    synthetic = bool(files["synthetic"].fillna(False).astype(bool).any()) if len(files) else False
    n_syn = int(files["synthetic"].fillna(False).astype(bool).sum()) if len(files) else 0
    note = (f"Source: {len(files)} landing file(s) in raw.landing_files"
            + (f", {n_syn} of them SYNTHETIC" if n_syn else ", none synthetic") + ".")
    return note, synthetic
