"""Derivation of dbt_project/seeds/ref_region_boundaries.csv (simplified boundary polygons of
the prefecture-level units and provinces, WKT) from the census city table of the reference
collection (../shared/reference/census_city/census_city_2010-2020_v1.csv: github.com/leiii/census,
commit 0ba0f1e, MIT, Copyright 2022 Lei Dong; 369 units at 2020 boundaries).

A development script, not run by the product: `uv run python scripts/derive_boundaries.py`
from the project root rewrites the seed and prints what it did; the rules are documented in
dbt_project/seeds/_boundary_seeds.yml and SOURCE_ref_region_boundaries.md. It needs the
reference collection checked out next to the repository, as scripts/ alone may.

Rules:
- the source polygons form a valid coverage (no overlaps, shared edges identical), so they are
  simplified together with shapely.coverage_simplify, which keeps shared edges shared: no
  gaps or slivers between neighbours, and queen contiguity on the simplified map is that of
  the source map;
- codes are mapped to the region codes of the marts (ref_cities, the 337 units of 2023): the
  four municipalities' city codes (110100, 120100, 310100, 500100) become their province codes;
  the county-level units directly under a province (省直辖县级行政单位: 济源, 仙桃, 潜江,
  天门, 神农架, Hainan's 15, Xinjiang's 10 corps cities) are kept as level `county_direct`
  (drawn on maps, never in the marts); Hong Kong and Macao as level `sar`;
- provinces (level `province`) are the union of their units' simplified polygons;
- no prefecture-level unit changed between 2020 and 2023, so the 2020 map is the 2023 map;
  units of the window that no longer exist are handled in marts.region_boundaries from
  ref_admin_changes (a renamed unit or a 地区 turned 市 keeps its territory; 巢湖 2010 and
  莱芜 2010-2018 have no polygon of their own in a 2020 map).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "reference" / "census_city" / "census_city_2010-2020_v1.csv"
SEEDS = ROOT / "dbt_project" / "seeds"
OUT = SEEDS / "ref_region_boundaries.csv"

# Degrees; 0.02 (about 2 km) keeps a prefecture recognisable at the scale of a national map
# and the file near 1 MB. Coordinates rounded to 4 decimals (about 10 m).
TOLERANCE = 0.02
PRECISION = 4
# Python's csv module (agate, hence dbt seed) refuses fields longer than 131,072 characters.
MAX_FIELD = 131_072
MUNICIPALITIES = {"110100": "110000", "120100": "120000", "310100": "310000", "500100": "500000"}
SAR = {"810000", "820000"}


def main() -> None:
    census = pd.read_csv(SOURCE, dtype=str, encoding="utf-8-sig")
    cities = pd.read_csv(SEEDS / "ref_cities.csv", dtype=str)
    provinces = pd.read_csv(SEEDS / "ref_provinces.csv", dtype=str)
    geoms = shapely.from_wkt(census["coord"].to_numpy())
    assert shapely.is_valid(geoms).all(), "source polygons invalid"
    assert shapely.coverage_is_valid(geoms), "source polygons overlap: not a coverage"
    simple = shapely.coverage_simplify(geoms, TOLERANCE)
    simple = shapely.set_precision(simple, 10.0**-PRECISION)

    codes = census["city_code"].map(lambda c: MUNICIPALITIES.get(c, c))
    known = set(cities["city_code"])
    rows = []
    for code, name, province_code, geom in zip(
        codes, census["city"], census["province_code"], simple, strict=True
    ):
        if code in known:
            level = "prefecture"
        elif code in SAR:
            level = "sar"
        elif code[2:4] == "90":  # xx90xx: county-level units directly under the province
            level = "county_direct"
        else:
            raise SystemExit(f"unexpected unit {code} {name}: not in ref_cities")
        rows.append(
            {
                "region_code": code,
                "region_name": name,
                "level": level,
                "province_code": province_code,
                "geometry": geom,
            }
        )
    frame = pd.DataFrame(rows)
    missing = known - set(frame["region_code"])
    assert not missing, f"units of ref_cities without a polygon: {sorted(missing)}"
    by_code = cities.set_index("city_code")["city_name"]
    renamed = [
        (c, n, by_code[c])
        for c, n in zip(frame.region_code, frame.region_name, strict=True)
        if c in by_code and n != by_code[c]
    ]
    assert not renamed, f"names differ from ref_cities: {renamed}"

    province_rows = []
    names = provinces.set_index("province_code")["province_name"]
    mainland = frame[frame["level"] != "sar"]
    for province_code, group in mainland.groupby("province_code"):
        union = shapely.union_all(group["geometry"].to_numpy())
        province_rows.append(
            {
                "region_code": province_code,
                "region_name": names[province_code],
                "level": "province",
                "province_code": province_code,
                "geometry": shapely.set_precision(union, 10.0**-PRECISION),
            }
        )
    assert len(province_rows) == 31, len(province_rows)
    frame = pd.concat([pd.DataFrame(province_rows), frame], ignore_index=True)
    frame["area_km2"] = [round(_area_km2(g), 1) for g in frame["geometry"]]
    frame["geometry_wkt"] = shapely.to_wkt(
        frame["geometry"].to_numpy(), rounding_precision=PRECISION, trim=True
    )
    longest = frame["geometry_wkt"].str.len().max()
    assert longest < MAX_FIELD, f"a WKT field of {longest} characters: dbt seed cannot read it"
    frame = frame.sort_values(["level", "region_code"], key=_level_order)
    frame[
        ["region_code", "region_name", "level", "province_code", "area_km2", "geometry_wkt"]
    ].to_csv(OUT, index=False, lineterminator="\n")
    print(
        f"{OUT.relative_to(ROOT)}: {len(frame)} rows, {OUT.stat().st_size / 1e6:.2f} MB, "
        f"longest WKT {longest:,} characters; vertices "
        f"{shapely.get_num_coordinates(geoms).sum():,} -> "
        f"{shapely.get_num_coordinates(frame['geometry'].to_numpy()).sum():,}"
    )
    print(frame["level"].value_counts().to_string())


def _level_order(column: pd.Series) -> pd.Series:
    order = {"province": 0, "prefecture": 1, "county_direct": 2, "sar": 3}
    return column.map(order) if column.name == "level" else column


def _area_km2(geom: shapely.Geometry) -> float:
    """Area on an equal-area projection (Albers for China), in km²."""
    import numpy as np
    import pyproj

    project = pyproj.Transformer.from_crs(
        "EPSG:4326", "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84", always_xy=True
    )
    return (
        shapely.transform(
            geom, lambda xy: np.column_stack(project.transform(xy[:, 0], xy[:, 1]))
        ).area
        / 1e6
    )


if __name__ == "__main__":
    main()
