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
    if row and row[0]:
        return str(row[0])
    if column.startswith("ln_"):
        return "natural log"
    found = _UNIT_IN_TEXT.search(description or "")
    return found.group(1) if found else None
