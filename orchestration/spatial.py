"""Reading what maps need from a warehouse connection: the boundaries, one cross-section of a
table's column, the column's unit. The drawing is models_py.spatial's (pure); this module only
runs the queries (used by `dri map` and the study assets)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from models_py.spatial import Boundaries

BOUNDARY_MODEL = "marts.region_boundaries"
BOUNDARY_SEED = "ref.ref_region_boundaries"
# Region-code columns of the marts, finest level first, and the map level each one means.
ENTITY_COLUMNS = {
    "city_code": "prefecture",
    "region_code": "prefecture",
    "province_code": "province",
}
# Units as written in the column descriptions of the dbt YAML (e.g. "whole city, 亿元").
_UNIT_IN_TEXT = re.compile(r"(亿元|万元|万美元|万人|万户|平方公里|%)")


def read_boundaries(con) -> Boundaries:
    """Boundaries from marts.region_boundaries and ref.ref_region_boundaries."""
    return Boundaries.from_frames(
        con.execute(f"SELECT * FROM {BOUNDARY_MODEL} ORDER BY region_code").df(),
        con.execute(f"SELECT * FROM {BOUNDARY_SEED} ORDER BY level, region_code").df(),
    )


def boundaries_fingerprint(con, fingerprint: str) -> str:
    """`fingerprint` extended with a digest of the polygons (both boundary tables), so a study
    table drawn on them is redone when they change."""
    import hashlib

    digest = hashlib.sha256(fingerprint.encode())
    for sql in (
        f"SELECT region_code, boundary_code, geometry_wkt FROM {BOUNDARY_MODEL} "
        "ORDER BY region_code",
        f"SELECT region_code, level, geometry_wkt FROM {BOUNDARY_SEED} ORDER BY level, region_code",
    ):
        for row in con.execute(sql).fetchall():
            digest.update(repr(row).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class CrossSection:
    values: pd.Series  # region code -> value
    entity: str
    level: str
    year: int


def read_cross_section(
    con, schema: str, table: str, column: str, year: int | None, entity: str | None = None
) -> CrossSection:
    """One year of `column` by region code. The region column is the first of city_code,
    region_code, province_code the table has (or `entity`); a table with a `level` column
    (dim_regions-like) keeps the rows of the map's level. Raises ValueError naming what is
    missing (column, year, region column)."""
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    ]
    if column not in columns:
        raise ValueError(
            f"{schema}.{table} has no column {column!r} (columns: {', '.join(columns)})"
        )
    entity = entity or next((c for c in ENTITY_COLUMNS if c in columns), None)
    if entity is None or entity not in columns:
        raise ValueError(
            f"{schema}.{table} has no region code column ({' / '.join(ENTITY_COLUMNS)})"
        )
    if "year" not in columns:
        raise ValueError(f"{schema}.{table} has no year column")
    years = [
        r[0]
        for r in con.execute(
            f'SELECT DISTINCT year FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL '
            "ORDER BY year"
        ).fetchall()
    ]
    if not years:
        raise ValueError(f"{schema}.{table}.{column} has no values")
    if year is None:
        year = int(years[-1])
    elif year not in years:
        raise ValueError(
            f"{schema}.{table}.{column} has no values in {year} (years with "
            f"values: {years[0]}-{years[-1]})"
        )
    rows = con.execute(
        f'SELECT CAST("{entity}" AS VARCHAR) AS code, CAST("{column}" AS DOUBLE) AS value '
        f'FROM "{schema}"."{table}" WHERE year = ? AND "{column}" IS NOT NULL',
        [year],
    ).df()
    if rows["code"].duplicated().any():
        raise ValueError(
            f"{schema}.{table}: several rows per {entity} in {year}; map a table "
            "with one row per region and year"
        )
    level = ENTITY_COLUMNS[entity]
    if entity == "region_code" and rows["code"].str.endswith("0000").all():
        level = "province"
    return CrossSection(
        values=rows.set_index("code")["value"], entity=entity, level=level, year=int(year)
    )


def column_unit(con, column: str, description: str) -> str | None:
    """The column's unit: the indicator catalogue's (ref.ref_indicators) when the column is an
    indicator code, else a unit written in its description, else None."""
    try:
        row = con.execute(
            "SELECT canonical_unit FROM ref.ref_indicators WHERE code = ?", [column]
        ).fetchone()
    except Exception:  # a warehouse without the catalogue
        row = None
    if column.startswith("ln_"):
        return "natural log"
    unit = str(row[0]) if row and row[0] else None
    if unit is None:
        found = _UNIT_IN_TEXT.search(description or "")
        unit = found.group(1) if found else None
    return None if unit is None else english_unit(con, unit)


# Denominators of per-capita units the unit catalogue does not list on their own.
_PER = {"百人": "100 persons", "百家": "100 enterprises", "人": "person", "平方公里": "km²"}


def english_unit(con, unit: str) -> str:
    """The English name of a catalogue unit (ref.ref_units.name_en; 个/百家 -> "units per 100
    enterprises"), since the maps have no CJK font."""

    def name(part: str) -> str:
        try:
            row = con.execute("SELECT name_en FROM ref.ref_units WHERE unit = ?", [part]).fetchone()
        except Exception:
            row = None
        # "units (e.g. institutions)" -> "units": the example is for the catalogue reader
        return re.sub(r"\s*\(.*?\)", "", str(row[0])) if row and row[0] else _PER.get(part, part)

    if "/" in unit:
        top, bottom = unit.split("/", 1)
        return f"{name(top)} per {_PER.get(bottom, name(bottom))}"
    return {"平方公里": "km²"}.get(unit, name(unit))


# The long value tables that keep each indicator value's landing file (as the study
# provenance does, orchestration/assets/reports.py).
_VALUE_TABLES = (
    "intermediate.int_province_indicators",
    "intermediate.int_city_indicators_converted",
)


def column_is_synthetic(con, column: str, warehouse_synthetic: bool) -> bool:
    """Whether the values of `column` come from SYNTHETIC landing files: for an indicator of
    the catalogue (or ln_<indicator>), the files its values were read from; for anything
    else (indices, patent counts) the warehouse's flag, which is the cautious answer."""
    codes = [column, column.removeprefix("ln_")]
    flags: list[bool] = []
    for table in _VALUE_TABLES:
        try:
            flags += [
                bool(r[0])
                for r in con.execute(
                    f"SELECT DISTINCT coalesce(files.synthetic, false) FROM {table} AS v "
                    "JOIN raw.landing_files AS files ON files.source_file = v.source_file "
                    "AND files.status = 'current' WHERE list_contains(?, v.indicator_code)",
                    [codes],
                ).fetchall()
            ]
        except Exception:  # a warehouse without the table: no evidence either way
            continue
    return any(flags) if flags else warehouse_synthetic
