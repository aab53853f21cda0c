"""Maps and spatial statistics on the built demo warehouse (the session's `built_warehouse`):
`dri map` writes a PNG whose legend classes are mapclassify's on the same values, every
study page shows its maps, the boundaries cover every region code of the marts, and the
Moran's I rows land in estimates.tests."""

from __future__ import annotations

import duckdb
import mapclassify
import pytest

from tests.conftest import Warehouse, run_dri

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n"


def query(warehouse: Warehouse, sql: str, params: list | None = None):
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        return con.execute(sql, params or []).df()


def test_dri_map_writes_the_classes_mapclassify_computes(
    built_warehouse: Warehouse, tmp_path
) -> None:
    out = tmp_path / "dri_2024.png"
    proc = run_dri(
        built_warehouse.env,
        "map",
        "marts.dri_index",
        "dri_index",
        "--year",
        "2024",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 20_000
    values = query(
        built_warehouse,
        "SELECT dri_index FROM marts.dri_index WHERE year = 2024 AND dri_index IS NOT NULL",
    )["dri_index"].to_numpy()
    expected = mapclassify.Quantiles(values, k=5)
    # one printed line per class: "<from> – <to>  <count>"
    counts = [int(line.split()[-1]) for line in proc.stdout.splitlines() if " – " in line]
    assert counts == expected.counts.tolist()
    assert f"{len(values)} regions with values, {337 - len(values)} without" in proc.stdout
    assert "SYNTHETIC" in proc.stdout
    bad = run_dri(
        built_warehouse.env,
        "map",
        "marts.dri_index",
        "dri_index",
        "--year",
        "1990",
        "--out",
        str(tmp_path / "none.png"),
    )
    assert bad.returncode == 2 and "no values in 1990" in bad.stderr
    assert not (tmp_path / "none.png").exists()


def test_boundaries_cover_every_region_code_of_the_marts(built_warehouse: Warehouse) -> None:
    rows = query(
        built_warehouse,
        "SELECT region_code, geometry_wkt, missing_reason FROM marts.region_boundaries",
    )
    dims = query(built_warehouse, "SELECT region_code FROM marts.dim_regions")
    assert set(rows["region_code"]) == set(dims["region_code"])
    assert (rows["geometry_wkt"].isna() == rows["missing_reason"].notna()).all()
    assert set(rows.loc[rows["geometry_wkt"].isna(), "region_code"]) == {
        "100000",
        "341400",
        "371200",
    }
    panel_codes = query(
        built_warehouse,
        "SELECT DISTINCT city_code FROM marts.city_panel "
        "UNION SELECT DISTINCT province_code FROM "
        "marts.province_panel",
    )
    drawn = set(rows.loc[rows["geometry_wkt"].notna(), "region_code"])
    assert set(panel_codes.iloc[:, 0]) - drawn <= {"100000"}  # the national total row


def test_every_study_page_shows_its_maps(built_warehouse: Warehouse) -> None:
    for study in ("paper000_province", "paper002_city", "paper004_province", "real_province_st"):
        folder = built_warehouse.reports / study
        maps = sorted(folder.glob("maps_*.png"))
        assert len(maps) == 2, study  # the dependent and the core variable
        page = (folder / "index.html").read_text("utf-8")
        assert page.count("(<code>maps_") == 2, study  # embedded, with the file name
        assert all(m.read_bytes()[:8] == PNG for m in maps)
    lisa = sorted((built_warehouse.reports / "paper002_city").glob("*_lisa.png"))
    assert len(lisa) == 2
    tests = query(
        built_warehouse,
        "SELECT test, statistic, p_value FROM estimates.tests "
        "WHERE study = 'paper002_city' AND table_name = "
        "'spatial_autocorrelation'",
    )
    assert len(tests) == 2 * 15  # two variables x 15 years
    assert tests["statistic"].between(-1, 1).all() and tests["p_value"].between(0, 1).all()
