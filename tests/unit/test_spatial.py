"""models_py.spatial: the boundary seed (every region code of the marts has a polygon or a
reason), Moran's I against a hand computation on a 3 x 3 grid and against esda's published
St. Louis example, LISA against esda, and maps whose legend classes are mapclassify's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from models_py.spatial import (
    Boundaries,
    Weights,
    choropleth,
    classify,
    global_moran,
    hu_line,
    lisa_map,
    local_moran,
    spatial_weights,
)
from models_py.spatial.boundaries import DEFAULT_SEED_DIR, HU_LINE_HEIHE, HU_LINE_TENGCHONG

SEEDS = DEFAULT_SEED_DIR


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return Boundaries.from_seeds()


# --- boundaries ---------------------------------------------------------------------------


def test_every_region_code_of_the_marts_has_a_polygon_or_a_reason(boundaries) -> None:
    divisions = pd.read_csv(SEEDS / "ref_admin_divisions.csv", dtype=str)
    provinces = pd.read_csv(SEEDS / "ref_provinces.csv", dtype=str)
    codes = set(divisions["code"]) | set(provinces["province_code"])
    assert len(codes) == 376  # 27 provinces + 4 municipalities + 345 prefecture-level units
    drawn = codes & set(boundaries.regions.index)
    missing = codes - drawn
    assert missing == set(boundaries.missing) == {"341400", "371200"}  # 巢湖, 莱芜
    assert "abolished in 2011 into 合肥市, 芜湖市, 马鞍山市" in boundaries.missing["341400"]
    assert "merged in 2019 into 济南市" in boundaries.missing["371200"]
    # a 地区 turned 市 keeps its territory: the old code is drawn with the new code's polygon
    assert boundaries.regions.loc["522400", "boundary_code"] == "520500"  # 毕节地区 -> 毕节市
    assert boundaries.regions.loc["522400"].geometry.equals(
        boundaries.regions.loc["520500"].geometry
    )


def test_the_337_units_of_2023_and_the_seed_file(boundaries) -> None:
    cities = pd.read_csv(SEEDS / "ref_cities.csv", dtype=str)
    seed = pd.read_csv(SEEDS / "ref_region_boundaries.csv", dtype=str)
    prefecture = seed[seed["level"] == "prefecture"]
    assert sorted(prefecture["region_code"]) == sorted(cities["city_code"])
    assert (seed["level"] == "province").sum() == 31
    # the committed file stays small, and every field fits Python's csv reader (dbt seed)
    assert (SEEDS / "ref_region_boundaries.csv").stat().st_size < 2_000_000
    assert seed["geometry_wkt"].str.len().max() < 131_072
    geoms = shapely.from_wkt(prefecture["geometry_wkt"].to_numpy())
    assert shapely.is_valid(geoms).all()
    # simplified as a coverage: neighbours share edges, nothing overlaps
    assert shapely.coverage_is_valid(geoms)
    # a province is the union of its units: the areas add up
    area = seed.assign(area=seed["area_km2"].astype(float))
    units = area[area["level"].isin(["prefecture", "county_direct"])]
    by_province = units.groupby("province_code")["area"].sum()
    provinces = area[area["level"] == "province"].set_index("region_code")["area"]
    np.testing.assert_allclose(by_province.loc[provinces.index], provinces, rtol=1e-3)
    # Beijing is 16,410 km² (official figure); the simplified polygon is within 1%
    assert provinces["110000"] == pytest.approx(16_410, rel=0.01)


def test_hu_line_is_the_one_the_warehouse_classifies_with() -> None:
    project = yaml.safe_load((SEEDS.parent / "dbt_project.yml").read_text(encoding="utf-8"))
    assert list(HU_LINE_HEIHE) == project["vars"]["hu_line_heihe"]
    assert list(HU_LINE_TENGCHONG) == project["vars"]["hu_line_tengchong"]
    line = hu_line(30)
    np.testing.assert_allclose(line[0], HU_LINE_HEIHE, atol=1e-9)
    np.testing.assert_allclose(line[-1], HU_LINE_TENGCHONG, atol=1e-9)


# --- Moran's I ------------------------------------------------------------------------------


def grid(n: int = 3):
    """n x n unit squares, codes r<row>c<col>."""
    import geopandas as gpd

    cells = {f"r{i}c{j}": shapely.box(j, i, j + 1, i + 1) for i in range(n) for j in range(n)}
    return gpd.GeoDataFrame(geometry=list(cells.values()), index=list(cells), crs="EPSG:4326")


def test_morans_i_on_a_3x3_grid_equals_the_hand_computation() -> None:
    polygons = grid(3)
    values = pd.Series([1.0, 2.0, 4.0, 2.0, 3.0, 7.0, 5.0, 8.0, 9.0], index=polygons.index)
    w = spatial_weights(polygons, "queen")
    # queen adjacency by hand: cells touching at an edge or a corner
    cells = [(int(c[1]), int(c[3])) for c in polygons.index]
    adjacency = np.array(
        [
            [
                1.0 if (a != b and abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1) else 0.0
                for b in cells
            ]
            for a in cells
        ]
    )
    assert adjacency.sum(axis=1).tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    hand_w = adjacency / adjacency.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(w.w.full()[0], hand_w)
    y = values.to_numpy()
    z = y - y.mean()
    n, s0 = len(y), hand_w.sum()
    hand = n / s0 * (z @ hand_w @ z) / (z @ z)
    result = global_moran(values, w, permutations=99, seed=1)
    assert result.moran_i == pytest.approx(hand, rel=1e-12)
    assert result.moran_i == pytest.approx(0.34591722595078295, rel=1e-12)  # printed once
    assert result.expected_i == pytest.approx(-1 / (n - 1))
    # a checkerboard: every edge neighbour differs, so I < 0 (corners agree, but are fewer)
    checker = pd.Series([(i + j) % 2 for i, j in cells], index=polygons.index, dtype=float)
    assert global_moran(checker, w, permutations=0).moran_i < 0


def test_global_moran_reproduces_esdas_st_louis_example() -> None:
    """esda's documented example: homicide rates 1988-93 of 78 St. Louis counties, the
    shipped stl.gal contiguity: I = 0.24365582621771659, p_norm = 0.00027147862770937614."""
    import esda
    import libpysal

    w = libpysal.io.open(libpysal.examples.get_path("stl.gal")).read()
    table = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    y = np.array(table.by_col["HR8893"])
    ids = [str(i) for i in w.id_order]
    weights = Weights(w=w, ids=ids, kind="queen", threshold_km=None, islands_attached=0)
    # shuffled input: the values are aligned to the weights by id, not by position
    values = pd.Series(y, index=ids).sample(frac=1.0, random_state=3)
    result = global_moran(values, weights, permutations=999, seed=12345)
    assert result.moran_i == pytest.approx(0.24365582621771659, rel=1e-10)
    assert result.p_norm == pytest.approx(0.00027147862770937614, rel=1e-6)
    np.random.seed(12345)
    direct = esda.Moran(y, w, permutations=999)
    assert result.p_sim == direct.p_sim  # same seed, same permutations
    assert global_moran(values, weights, permutations=999, seed=12345).p_sim == result.p_sim


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # esda's notice, called directly
def test_local_moran_and_distance_weights_on_the_provinces(boundaries) -> None:
    import esda

    provinces = boundaries.provinces
    latitude = provinces.geometry.representative_point().y.rename("lat")
    w = spatial_weights(provinces, "queen")
    assert w.islands_attached == 1  # Hainan: linked to its nearest province
    lisa = local_moran(latitude, w, permutations=999, seed=7)
    direct = esda.Moran_Local(
        latitude.reindex(w.w.id_order).to_numpy(), w.w, permutations=999, seed=7
    )
    np.testing.assert_allclose(lisa["local_i"].to_numpy(), direct.Is)
    np.testing.assert_array_equal(lisa["quadrant"].to_numpy(), direct.q)
    # latitude clusters: the far north is High-High, the far south Low-Low
    assert lisa.loc["230000", "cluster"] == "High-High"  # 黑龙江
    assert lisa.loc["440000", "cluster"] == "Low-Low"  # 广东
    band = spatial_weights(provinces, "distance_band")
    assert not band.w.islands and band.threshold_km > 500
    inverse = spatial_weights(provinces, "inverse_distance")
    assert inverse.w.cardinalities["110000"] == 30  # all pairs
    for weights in (w, band, inverse):
        assert global_moran(latitude, weights, permutations=0).moran_i > 0.2


# --- maps ---------------------------------------------------------------------------------


def test_choropleth_legend_classes_are_mapclassifys(boundaries, tmp_path) -> None:
    import mapclassify

    codes = sorted(boundaries.base.index[boundaries.base["level"] == "prefecture"])[::2]
    rng = np.random.default_rng(0)
    values = pd.Series(rng.lognormal(3, 1, len(codes)), index=codes)
    out = choropleth(
        values,
        boundaries,
        tmp_path / "map.png",
        title="Test",
        label="x",
        unit="亿元",
        scheme="quantiles",
        k=5,
        synthetic=True,
    )
    assert out.path.exists() and out.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    expected = mapclassify.Quantiles(values.to_numpy(), k=5)
    np.testing.assert_allclose(out.classification.bins, expected.bins)
    assert out.classification.counts == expected.counts.tolist()
    assert out.drawn == len(codes) and out.no_data == 337 - len(codes)
    jenks = classify(values, "natural_breaks", 4)
    np.testing.assert_allclose(jenks.bins, mapclassify.FisherJenks(values.to_numpy(), k=4).bins)
    with pytest.raises(ValueError, match="scheme"):
        classify(values, "equal_interval")


def test_lisa_map_and_former_codes(boundaries, tmp_path) -> None:
    provinces = boundaries.provinces
    latitude = provinces.geometry.representative_point().y
    lisa = local_moran(latitude, spatial_weights(provinces), permutations=99, seed=1)
    out = lisa_map(
        lisa, boundaries, tmp_path / "lisa.png", title="LISA", label="latitude", level="province"
    )
    assert out.path.exists() and out.drawn == 31 and out.no_data == 0
    # a 2010 cross-section with former codes: 毕节地区 drawn, 巢湖 left out with its reason
    values = pd.Series({"522400": 1.0, "341400": 2.0, "340100": 3.0, "110000": 4.0})
    out = choropleth(values, boundaries, tmp_path / "old.png", title="2010", label="x", k=3)
    assert out.drawn == 3 and list(out.skipped) == ["341400"]


# --- study spec ---------------------------------------------------------------------------


def test_spec_checks_the_spatial_table_options() -> None:
    from models_py.studies.spec import SpecError, parse_spec, required_columns

    def spec(table: dict):
        return parse_spec(
            {
                "title": "t",
                "panel": "marts.city_panel",
                "entity": "city_code",
                "time": "year",
                "synthetic_expected": True,
                "model": {"dependent": "y", "core": "x"},
                "tables": {"t": table},
            }
        )

    parsed = spec({"type": "spatial_autocorrelation", "variables": ["z"]})
    options = parsed.table("t").options
    assert (options["weights"], options["permutations"], options["alpha"]) == ("queen", 999, 0.05)
    assert "z" in required_columns(parsed)
    assert spec({"type": "map"}).table("t").options["scheme"] == "quantiles"
    with pytest.raises(SpecError, match=r"tables\.t\.weights.*Did you mean 'queen'"):
        spec({"type": "spatial_autocorrelation", "weights": "quen"})
    with pytest.raises(SpecError, match=r"tables\.t\.scheme"):
        spec({"type": "map", "scheme": "equal_interval"})
    with pytest.raises(SpecError, match="at least 2"):
        spec({"type": "map", "k": 1})
