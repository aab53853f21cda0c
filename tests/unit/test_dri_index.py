"""The digital-real integration index marts (dbt_project/models/marts/patents) against a direct
numpy computation of the formulas of models/docs/dri_index.md.

A small hand-made patent fixture (five cities, 2019-2021, a few dozen patents with their IPC
subclasses) is written as the upstream tables int_patents_classified,
int_patent_ipc_keys_classified and int_city_patent_counts of a scratch DuckDB file; dbt builds the
four marts there (with their data and unit tests). The reference below starts from the same
patent rows, not from any dbt table, and follows the documented formulas step by step: per
city-year sets of subclasses and links in plain Python, then the entropy weights in matrix form.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_dbt

pytestmark = pytest.mark.integration

MODELS = ["path:models/marts/patents"]
INDICATORS = [
    ("integrated_share", "time"), ("integration_growth", "time"),
    ("real_field_breadth", "industry"), ("real_field_diversity", "industry"),
    ("location_quotient", "region"), ("national_share", "region"),
    ("digital_real_links", "network"), ("link_density", "network"),
]
DIMENSIONS = ["time", "industry", "region", "network"]
SHIFT = 0.0001          # var entropy_shift, default
TOL = 1e-9

DIGITAL = ["G06F", "H04L", "H04W", "G06Q"]
REAL = ["A01B", "B63B", "C12N", "F16H", "G06F", "H01M"]     # G06F also as a real code


# --- the fixture -----------------------------------------------------------------------------

def fixture_patents(seed: int = 7) -> list[dict]:
    """Patents as (number, city, year, invention, [(subclass, is_digital_code)]).

    Hand-placed cases: city 990100 has G06F on both sides of one patent and a duplicate
    digital subclass; 990300 has patents but no integrated one in 2020; 990400 has no row in
    2020 (growth in 2021 from K = 0); 990500 only appears in 2021; two unlocated patents; the
    rest drawn with a fixed seed for breadth."""
    rng = np.random.default_rng(seed)
    patents = [
        ("H1", "990100", 2019, True, [("G06F", True), ("G06F", False), ("A01B", False)]),
        ("H2", "990100", 2019, False, [("G06F", True), ("G06F", True), ("H04L", True),
                                       ("B63B", False)]),
        ("H3", "990300", 2020, True, [("A01B", False), ("C12N", False)]),
        ("H4", "990300", 2020, False, [("H04W", True)]),
        ("H5", "990400", 2019, True, [("G06Q", True), ("H01M", False)]),
        ("H6", "990400", 2021, True, [("G06Q", True), ("H01M", False), ("F16H", False)]),
        ("H7", "990500", 2021, False, [("H04L", True), ("A01B", False)]),
        ("U1", None, 2020, True, [("G06F", True), ("A01B", False)]),
        ("U2", None, 2021, False, [("H04W", True), ("C12N", False)]),
    ]
    n = 0
    for city in ["990100", "990200", "990300"]:
        for year in [2019, 2020, 2021]:
            for _ in range(int(rng.integers(3, 9))):
                n += 1
                codes = []
                for _ in range(int(rng.integers(1, 4))):
                    if rng.random() < 0.45:
                        codes.append((str(rng.choice(DIGITAL)), True))
                    else:
                        codes.append((str(rng.choice(REAL)), False))
                if city == "990300" and year == 2020:
                    codes = [c for c in codes if not c[1]] or [("A01B", False)]
                patents.append((f"R{n}", city, year, bool(rng.random() < 0.4), codes))
    return [dict(zip(["application_number", "city_code", "year", "is_invention", "codes"], p,
                     strict=True))
            for p in patents]


def upstream_tables(patents: list[dict]) -> dict[str, pd.DataFrame]:
    code_rows, patent_rows = [], []
    for key, p in enumerate(patents, start=1):
        for k, (subclass, digital) in enumerate(p["codes"]):
            code_rows.append((p["application_number"], key, f"{subclass} {k + 1}/00",
                              subclass[0], subclass[:3], subclass, k + 1, "00", digital))
        digital = any(d for _, d in p["codes"])
        real = any(not d for _, d in p["codes"])
        patent_rows.append((p["application_number"], key, p["year"], p["is_invention"],
                            p["city_code"], len(p["codes"]),
                            sum(d for _, d in p["codes"]), digital, real, digital and real))
    codes = pd.DataFrame(code_rows, columns=[
        "application_number", "patent_key", "ipc_code", "section", "class", "subclass",
        "main_group", "subgroup", "is_digital_code"])
    classified = pd.DataFrame(patent_rows, columns=[
        "application_number", "patent_key", "application_year", "is_invention", "city_code",
        "n_ipc_codes", "n_digital_ipc_codes", "is_digital", "is_real", "is_integrated"])
    located = classified[classified["city_code"].notna()]
    counts = (located.assign(digital_invention=located.is_digital & located.is_invention)
              .groupby(["city_code", "application_year"])
              .agg(patents=("application_number", "size"),
                   invention_patents=("is_invention", "sum"),
                   digital_patents=("is_digital", "sum"),
                   digital_invention_patents=("digital_invention", "sum"),
                   integrated_patents=("is_integrated", "sum"))
              .reset_index())
    cities = sorted(located["city_code"].unique())
    regions = pd.DataFrame({"region_code": cities, "region_name": [f"城市{c}" for c in cities],
                            "province_name": "测试省"})
    return {"codes": codes, "classified": classified, "counts": counts, "regions": regions}


# --- reference computation -------------------------------------------------------------------

def reference_components(patents: list[dict], counts: pd.DataFrame) -> pd.DataFrame:
    """The eight indicators of docs block dri_index_components, per city-year of counts."""
    k = {(r.city_code, r.application_year): r.integrated_patents for r in counts.itertuples()}
    first_year = counts["application_year"].min()
    national = counts.groupby("application_year")[["patents", "integrated_patents"]].sum()
    rows = []
    for r in counts.itertuples():
        key = (r.city_code, r.application_year)
        integrated = [p for p in patents if (p["city_code"], p["year"]) == key
                      and any(d for _, d in p["codes"]) and any(not d for _, d in p["codes"])]
        d_sets = [{s for s, d in p["codes"] if d} for p in integrated]
        r_sets = [{s for s, d in p["codes"] if not d} for p in integrated]
        n_d = len(set().union(*d_sets))
        n_r = len(set().union(*r_sets))
        links = {(a, b) for ds, rs in zip(d_sets, r_sets, strict=True) for a in ds for b in rs}
        field_counts = pd.Series([s for rs in r_sets for s in rs], dtype=object).value_counts()
        q = field_counts.to_numpy(dtype=float) / field_counts.sum() if n_r else np.array([])
        K, T = r.integrated_patents, r.patents
        T_nat, K_nat = national.loc[r.application_year, ["patents", "integrated_patents"]]
        growth = (0.0 if r.application_year == first_year
                  else math.log1p(K) - math.log1p(k.get((r.city_code, r.application_year - 1),
                                                        0)))
        rows.append({
            "city_code": r.city_code, "year": r.application_year,
            "integrated_share": K / T,
            "integration_growth": growth,
            "real_field_breadth": float(n_r),
            "real_field_diversity": float(-(q * np.log(q)).sum()) if n_r else 0.0,
            "location_quotient": (K / T) / (K_nat / T_nat) if K_nat else 0.0,
            "national_share": K / K_nat if K_nat else 0.0,
            "digital_real_links": float(len(links)),
            "link_density": len(links) / (n_d * n_r) if links else 0.0,
            "ln_integrated_patents": math.log1p(K),
        })
    return pd.DataFrame(rows).set_index(["city_code", "year"]).sort_index()


def reference_entropy(x: np.ndarray) -> dict[str, np.ndarray]:
    """Docs block dri_index_entropy on an n x m matrix of positive indicators."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    x_std = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1), 0.0)
    shifted = x_std + SHIFT
    p = shifted / shifted.sum(axis=0)
    n = x.shape[0]
    e = -(p * np.log(p)).sum(axis=0) / np.log(n) if n > 1 else np.ones(x.shape[1])
    d = np.maximum(1 - e, 0)
    w = d / d.sum() if d.sum() > 0 else np.full(x.shape[1], 1 / x.shape[1])
    return {"x_std": x_std, "entropy": e, "weight": w, "index": x_std @ w}


# --- dbt on the fixture ------------------------------------------------------------------------


def read(db: Path, *names: str) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {n: con.execute(f"select * from marts.{n}").df() for n in names}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("dri_index")
    db = tmp / "dri.duckdb"
    patents = fixture_patents()
    tables = upstream_tables(patents)
    with duckdb.connect(str(db)) as con:
        for schema in ["intermediate", "marts"]:
            con.execute(f"create schema {schema}")
        for name, frame in tables.items():
            con.register(f"{name}_df", frame)
        con.execute("create table intermediate.int_patent_ipc_keys_classified as "
                    "select * replace (cast(main_group as integer) as main_group) "
                    "from codes_df")
        con.execute("create table intermediate.int_patents_classified as "
                    "select * replace (cast(application_year as integer) as application_year,"
                    " cast(n_ipc_codes as integer) as n_ipc_codes,"
                    " cast(n_digital_ipc_codes as integer) as n_digital_ipc_codes) "
                    "from classified_df")
        con.execute("create table intermediate.int_city_patent_counts as "
                    "select city_code, cast(application_year as integer) as application_year,"
                    " cast(patents as bigint) as patents,"
                    " cast(invention_patents as bigint) as invention_patents,"
                    " cast(digital_patents as bigint) as digital_patents,"
                    " cast(digital_invention_patents as bigint) as digital_invention_patents,"
                    " cast(integrated_patents as bigint) as integrated_patents "
                    "from counts_df")
        con.execute("create table marts.dim_regions as select * from regions_df")
    run_dbt(tmp, db, "build", "--select", *MODELS)
    panel = read(db, "dri_index_components", "dri_index_weights", "dri_index")
    run_dbt(tmp, db, "run", "--select", "dri_index_standardized", "dri_index_weights",
            "dri_index", "--vars", "{entropy_scope: year}")
    by_year = read(db, "dri_index_weights", "dri_index")
    reference = reference_components(patents, tables["counts"])
    return {"tables": tables, "panel": panel, "year": by_year, "reference": reference}


# --- tests -------------------------------------------------------------------------------------

def test_fixture_covers_the_edge_cases(built):
    ref = built["reference"]
    assert len(ref) == 3 * 3 + 2 + 1                          # 990100-300, 990400, 990500
    assert ("990400", 2020) not in ref.index                  # a gap year
    assert ref.loc[("990300", 2020), "digital_real_links"] == 0   # patents, none integrated
    assert ref.loc[("990400", 2021), "integration_growth"] == pytest.approx(math.log(2))
    assert (ref["integration_growth"] < 0).any()              # and a fall somewhere
    assert (ref["link_density"].between(0, 1, inclusive="neither")).any()
    # G06F on both sides of H1: the self-pair is a digital-real link
    assert built["tables"]["codes"].query("application_number == 'H1' and subclass == 'G06F'")[
        "is_digital_code"].tolist() == [True, False]


def test_components_equal_the_formulas(built):
    got = built["panel"]["dri_index_components"].set_index(["city_code", "year"]).sort_index()
    ref = built["reference"]
    assert list(got.index) == list(ref.index)
    for code, _ in INDICATORS:
        np.testing.assert_allclose(got[code], ref[code], rtol=0, atol=TOL, err_msg=code)
    np.testing.assert_allclose(got["ln_integrated_patents"], ref["ln_integrated_patents"],
                               rtol=0, atol=TOL)


def test_weights_and_index_panel_scope(built):
    ref = built["reference"]
    x = ref[[c for c, _ in INDICATORS]].to_numpy()
    expected = reference_entropy(x)
    weights = built["panel"]["dri_index_weights"].set_index("indicator_code")
    weights = weights.loc[[c for c, _ in INDICATORS]]
    assert weights["weight_year"].isna().all()
    np.testing.assert_allclose(weights["entropy"], expected["entropy"], rtol=0, atol=TOL)
    np.testing.assert_allclose(weights["weight"], expected["weight"], rtol=0, atol=TOL)
    assert weights["weight"].sum() == pytest.approx(1, abs=TOL)
    dims = np.array([d for _, d in INDICATORS])
    for dim in DIMENSIONS:
        np.testing.assert_allclose(weights.loc[dims == dim, "dimension_weight"],
                                   expected["weight"][dims == dim].sum(), rtol=0, atol=TOL)

    index = built["panel"]["dri_index"].set_index(["city_code", "year"]).sort_index()
    assert list(index.index) == list(ref.index)
    np.testing.assert_allclose(index["dri_index"], expected["index"], rtol=0, atol=TOL)
    for dim in DIMENSIONS:
        score = expected["x_std"][:, dims == dim] @ expected["weight"][dims == dim]
        np.testing.assert_allclose(index[f"{dim}_score"], score, rtol=0, atol=TOL, err_msg=dim)
    np.testing.assert_allclose(index["integrated_share"], ref["integrated_share"], rtol=0,
                               atol=TOL)
    assert index["dri_index"].between(0, 1).all()


def test_weights_and_index_year_scope(built):
    ref = built["reference"]
    weights = built["year"]["dri_index_weights"]
    index = built["year"]["dri_index"].set_index(["city_code", "year"]).sort_index()
    for year, block in ref.groupby(level="year"):
        expected = reference_entropy(block[[c for c, _ in INDICATORS]].to_numpy())
        got = (weights[weights["weight_year"] == year].set_index("indicator_code")
               .loc[[c for c, _ in INDICATORS]])
        np.testing.assert_allclose(got["weight"], expected["weight"], rtol=0, atol=TOL)
        np.testing.assert_allclose(index.loc[block.index, "dri_index"], expected["index"],
                                   rtol=0, atol=TOL)
