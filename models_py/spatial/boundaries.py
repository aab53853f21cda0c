"""Region polygons for maps and spatial weights, built from the warehouse's boundary tables.

`Boundaries.from_frames` takes the rows of `marts.region_boundaries` (every region code of the
marts with the polygon it is drawn with, or the reason it has none) and of
`ref.ref_region_boundaries` (the polygons themselves: provinces, prefecture-level units,
county-level units directly under a province, Hong Kong and Macao), as plain DataFrames, so
this module never touches a database. Coordinates are longitude / latitude in degrees (WGS84).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

# The Hu Huanyong line: the great circle through the seats of 黑河市 and 腾冲市, the same two
# points as the dbt vars hu_line_heihe / hu_line_tengchong that classify the cities' sides
# (tests/unit/test_spatial.py checks they agree).
HU_LINE_HEIHE = (127.528293, 50.245129)
HU_LINE_TENGCHONG = (98.490966, 25.020439)

DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# An Albers equal-area projection for China, for distances and areas in km.
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=km"


def hu_line(n: int = 60) -> np.ndarray:
    """(n, 2) longitude / latitude points of the Hu line, on the great circle from Heihe to
    Tengchong (spherical linear interpolation), so it is drawn as it is defined."""

    def unit(lon: float, lat: float) -> np.ndarray:
        lo, la = np.radians(lon), np.radians(lat)
        return np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])

    a, b = unit(*HU_LINE_HEIHE), unit(*HU_LINE_TENGCHONG)
    omega = np.arccos(np.clip(a @ b, -1.0, 1.0))
    t = np.linspace(0.0, 1.0, n)[:, None]
    points = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    lon = np.degrees(np.arctan2(points[:, 1], points[:, 0]))
    lat = np.degrees(np.arcsin(np.clip(points[:, 2], -1.0, 1.0)))
    return np.column_stack([lon, lat])


@dataclass(frozen=True)
class Boundaries:
    """Polygons by region code, and what the maps draw around them.

    Attributes:
        regions: one row per region code of the marts that has a polygon (index
            `region_code`; columns `region_name`, `level`, `boundary_code`, `geometry`).
            Former codes whose territory did not change (毕节地区 522400) carry their
            successor's polygon.
        provinces: the 31 province outlines (index `region_code`).
        base: every polygon of the finest level (prefecture-level units, county-level units
            directly under a province, Hong Kong, Macao), the grey base of a map.
        missing: region code -> why it has no polygon (national total, 巢湖, 莱芜).
    """

    regions: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    base: gpd.GeoDataFrame
    missing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, region_boundaries: pd.DataFrame, reference: pd.DataFrame) -> Boundaries:
        """From the rows of marts.region_boundaries and ref.ref_region_boundaries."""
        import geopandas as gpd
        import shapely

        def frame(rows: pd.DataFrame) -> gpd.GeoDataFrame:
            rows = rows.copy()
            rows["region_code"] = rows["region_code"].astype(str)
            geometry = shapely.from_wkt(rows.pop("geometry_wkt").to_numpy())
            return (
                gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")
                .set_index("region_code", drop=False)
                .rename_axis(None)
            )

        have = region_boundaries["geometry_wkt"].notna()
        missing = {
            str(c): str(r)
            for c, r in region_boundaries.loc[~have, ["region_code", "missing_reason"]].itertuples(
                index=False
            )
        }
        regions = frame(
            region_boundaries[have][
                ["region_code", "region_name", "level", "boundary_code", "geometry_wkt"]
            ]
        )
        provinces = frame(reference[reference["level"] == "province"])
        base = frame(reference[reference["level"] != "province"])
        return cls(regions=regions, provinces=provinces, base=base, missing=missing)

    @classmethod
    def from_seeds(cls, seed_dir: str | Path | None = None) -> Boundaries:
        """From the repository's seed files (ref_region_boundaries.csv, ref_admin_changes.csv
        and ref_admin_divisions.csv in `seed_dir`, default dbt_project/seeds of this checkout),
        without a warehouse: the same rules as marts.region_boundaries (a former code whose
        territory did not change takes its successor's polygon; abolished or merged units have
        none). For notebooks and tests; the build passes the warehouse's tables."""
        return _seed_boundaries(str(Path(seed_dir) if seed_dir else DEFAULT_SEED_DIR))

    def polygons(self, codes: Iterable[object]) -> gpd.GeoDataFrame:
        """The polygons of `codes` (index = code as text), in the order given. A code without
        a polygon raises KeyError naming it and the reason."""
        wanted = [str(c) for c in codes]
        unknown = [c for c in wanted if c not in self.regions.index]
        if unknown:
            reasons = "; ".join(
                f"{c}: {self.missing.get(c, 'not a region code of the marts')}" for c in unknown[:5]
            )
            raise KeyError(f"{len(unknown)} region codes have no polygon ({reasons})")
        return self.regions.loc[wanted]

    def split(self, codes: Iterable[object]) -> tuple[list[str], dict[str, str]]:
        """(codes with a polygon, {code without one: reason}), codes as text."""
        drawn, skipped = [], {}
        for c in map(str, codes):
            if c in self.regions.index:
                drawn.append(c)
            else:
                skipped[c] = self.missing.get(c, "not a region code of the marts")
        return drawn, skipped


@functools.cache
def _seed_boundaries(seed_dir: str) -> Boundaries:
    folder = Path(seed_dir)
    reference = pd.read_csv(folder / "ref_region_boundaries.csv", dtype=str)
    changes = pd.read_csv(folder / "ref_admin_changes.csv", dtype=str, keep_default_na=False)
    divisions = pd.read_csv(folder / "ref_admin_divisions.csv", dtype=str, keep_default_na=False)
    units = reference[reference["level"].isin(["province", "prefecture"])]
    rows = units.assign(boundary_code=units["region_code"], missing_reason=None)
    same = changes[
        changes["change_type"].isin(["prefecture_to_city", "renamed"])
        & (changes["old_code"] != changes["new_code"])
    ]
    polygon = units[units["level"] == "prefecture"].set_index("region_code")["geometry_wkt"]
    names = divisions.set_index("code")["name"]
    former = [
        {
            "region_code": c.old_code,
            "region_name": names.get(c.old_code, c.old_name),
            "level": "prefecture",
            "boundary_code": c.new_code,
            "geometry_wkt": polygon[c.new_code],
            "missing_reason": None,
        }
        for c in same.itertuples()
        if c.new_code in polygon.index
    ]
    gone = changes[changes["change_type"].isin(["abolished", "merged"])]
    missing = [
        {
            "region_code": code,
            "region_name": names.get(code, code),
            "level": "prefecture",
            "boundary_code": None,
            "geometry_wkt": None,
            "missing_reason": f"{group['change_type'].iloc[0]} in {group['year'].max()} into "
            f"{', '.join(sorted(group['new_name']))}; the 2020 boundaries "
            "of the source have no polygon for its territory",
        }
        for code, group in gone.groupby("old_code")
    ]
    # a province-level code appears once: as a province (its polygon is the same at both levels)
    rows = rows.sort_values("level", key=lambda c: c.map({"province": 0, "prefecture": 1}))
    rows = rows.drop_duplicates("region_code")
    table = pd.concat([rows, pd.DataFrame(former), pd.DataFrame(missing)], ignore_index=True)
    return Boundaries.from_frames(table, reference)
