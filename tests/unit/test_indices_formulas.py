"""The index marts (dbt_project/models/{intermediate,marts}/indices) against a direct numpy
computation of the same formulas on the same data.

Two data sets:

* a small synthetic warehouse written here (fake upstream tables: the interpolated city and
  province indicators, city patent counts, dim_regions), with index systems that exercise
  what the shipped ones do not: a negative indicator, a fixed weight, missing values that
  drop region-years from a sample, a derived ratio and a patent count. dbt builds the index
  models (and runs their dbt tests) into a scratch DuckDB file;
* the warehouse `dri build` publishes (fixture `built_warehouse`), with the shipped seeds.

The reference computations below start from the upstream values and the seeds, not from the
intermediate index tables, and follow the formulas of models/docs/indices.md step by step in
matrix form.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Warehouse, run_dbt

pytestmark = pytest.mark.integration

INDEX_SEEDS = [
    "ref_index_systems", "ref_index_indicators", "ref_index_producer_services",
    "ref_index_coupling", "ref_index_coordination_levels",
]
INDEX_MODELS = ["path:models/intermediate/indices", "path:models/marts/indices",
                "path:tests/indices"]
PATENT_COUNTS = ["patents", "invention_patents", "digital_patents",
                 "digital_invention_patents", "integrated_patents"]
PRODUCER_SERVICES = ["employment_transport", "employment_ict", "employment_finance",
                     "employment_business", "employment_research"]
SHIFT = 0.0001
TOL = 1e-9


# --- reference computations -----------------------------------------------------------------

def wide_values(base: pd.DataFrame, definitions: pd.DataFrame, level: str) -> pd.DataFrame:
    """(region_code, year) x indicator: the base values of the level and the derived
    indicators of ref_index_indicators (numerator / denominator * multiplier)."""
    wide = (base[base["level"] == level]
            .pivot_table(index=["region_code", "year"], columns="indicator_code",
                         values="value", aggfunc="first", dropna=False))
    for d in definitions[definitions["level"] == level].itertuples():
        num = wide[d.numerator]
        if pd.isna(d.denominator):
            wide[d.code] = num * d.multiplier
        else:
            den = wide[d.denominator].where(wide[d.denominator] != 0)
            wide[d.code] = num / den * d.multiplier
    return wide


def city_base(indicators: pd.DataFrame, patents: pd.DataFrame) -> pd.DataFrame:
    """Long city base values: yearbook indicators plus patent counts, 0 where a city-year of
    the yearbook grid has no patent row."""
    grid = indicators[["city_code", "year"]].drop_duplicates()
    counts = grid.merge(patents.rename(columns={"application_year": "year"}),
                        on=["city_code", "year"], how="left")
    counts = counts.fillna(dict.fromkeys(PATENT_COUNTS, 0))
    counts = counts.melt(id_vars=["city_code", "year"], value_vars=PATENT_COUNTS,
                         var_name="indicator_code", value_name="value")
    both = pd.concat([indicators[["city_code", "year", "indicator_code", "value"]], counts])
    return both.rename(columns={"city_code": "region_code"}).assign(level="city")


def entropy_reference(x: np.ndarray, directions: list[str], fixed: list[float]) -> dict:
    """Entropy weight method on an n x m matrix (one scope)."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    pos = (x - lo) / span
    neg = (hi - x) / span
    std = np.where(np.array(directions) == "-", neg, pos)
    std[:, hi == lo] = 0.0
    shifted = std + SHIFT
    p = shifted / shifted.sum(axis=0)
    n = x.shape[0]
    e = -(p * np.log(p)).sum(axis=0) / np.log(n)
    d = np.maximum(1 - e, 0)
    fixed_arr = np.array([np.nan if f is None or pd.isna(f) else f for f in fixed], dtype=float)
    free = np.isnan(fixed_arr)
    w = np.where(free, 0.0, fixed_arr)
    w[free] = (1 - np.nansum(fixed_arr)) * d[free] / d[free].sum()
    return {"std": std, "entropy": e, "redundancy": d, "weight": w, "index": std @ w}


def system_reference(wide: pd.DataFrame, rows: pd.DataFrame, by_year: bool = False) -> dict:
    """Complete cases of a system, its weights and its index per region-year."""
    codes = rows["indicator_code"].tolist()
    sample = wide[codes].dropna()
    groups = [sample] if not by_year else [g for _, g in sample.groupby(level="year")]
    weights, scores = {}, []
    for g in groups:
        ref = entropy_reference(g.to_numpy(float), rows["direction"].tolist(),
                                rows["fixed_weight"].tolist())
        year = int(g.index.get_level_values("year")[0]) if by_year else None
        weights[year] = pd.DataFrame({"indicator_code": codes, "entropy": ref["entropy"],
                                      "weight": ref["weight"],
                                      "dimension": rows["dimension"].tolist()})
        scores.append(pd.Series(ref["index"], index=g.index))
    return {"weights": weights, "index": pd.concat(scores).sort_index(), "sample": sample}


def pca_reference(sample: pd.DataFrame, directions: list[str]) -> pd.Series:
    """Composite by the singular value decomposition of the z-scores (Kaiser rule)."""
    x = sample.sort_index().sort_index(axis=1)
    signs = np.array([-1.0 if directions[c] == "-" else 1.0 for c in x.columns])
    z = x.to_numpy(float) * signs
    z = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    eig = s**2 / (len(z) - 1)
    k = max(int((eig > 1).sum()), 1)
    scores = u[:, :k] * s[:k] * np.sign(vt[:k].sum(axis=1))
    return pd.Series(scores @ (eig[:k] / eig[:k].sum()), index=x.index)


def coagglomeration_reference(indicators: pd.DataFrame) -> pd.DataFrame:
    wide = indicators.pivot_table(index=["city_code", "year"], columns="indicator_code",
                                  values="value", aggfunc="first", dropna=False)
    cols = ["employment_total", "employment_manufacturing", *PRODUCER_SERVICES]
    w = wide[cols].dropna()
    w = w[w["employment_total"] > 0]
    services = w[PRODUCER_SERVICES].sum(axis=1)
    nat = w.assign(services=services).groupby(level="year").sum()
    years = w.index.get_level_values("year")
    lqm = (w["employment_manufacturing"] / w["employment_total"]) / (
        nat["employment_manufacturing"] / nat["employment_total"]).loc[years].to_numpy()
    lqs = (services / w["employment_total"]) / (
        nat["services"] / nat["employment_total"]).loc[years].to_numpy()
    return pd.DataFrame({"lqm": lqm, "lqs": lqs,
                         "co": 1 - (lqm - lqs).abs() / (lqm + lqs) + (lqm + lqs)})


def coupling_reference(u1: pd.Series, u2: pd.Series, alpha: float = 0.5) -> pd.DataFrame:
    both = pd.concat({"u1": u1, "u2": u2}, axis=1).dropna()
    c = 2 * np.sqrt(both.u1 * both.u2) / (both.u1 + both.u2)
    t = alpha * both.u1 + (1 - alpha) * both.u2
    return both.assign(c=c, t=t, d=np.sqrt(c.fillna(0) * t))


def grade(d: float) -> int:
    return min(int(np.floor(d * 10 + 1e-12)) + 1, 10)


# --- a synthetic warehouse built by dbt -------------------------------------------------------

SYSTEMS = pd.DataFrame([
    ("t_city", "city", "broadband_per_100", "infra", "+", None),
    ("t_city", "city", "telecom_per_capita", "industry", "+", None),
    ("t_city", "city", "digital_patents", "innovation", "+", None),
    ("t_city", "city", "employment_manufacturing", "industry", "-", None),
    ("t_city", "city", "population", "base", "+", 0.2),
    ("t_prov_a", "province", "rd_expenditure", "input", "+", None),
    ("t_prov_a", "province", "patents_granted", "output", "+", None),
    ("t_prov_a", "province", "tech_market_inflow_value", "market", "-", None),
    ("t_prov_b", "province", "fiscal_expenditure_st", "budget", "+", None),
    ("t_prov_b", "province", "st_share", "budget", "+", None),
    ("t_prov_b", "province", "rd_expenditure_enterprise", "enterprise", "+", None),
], columns=["system", "level", "indicator_code", "dimension", "direction", "fixed_weight"])

DEFINITIONS = pd.DataFrame([
    ("broadband_per_100", "city", "broadband_users", "population", 100.0),
    ("telecom_per_capita", "city", "telecom_business", "population", 10000.0),
    ("st_share", "province", "fiscal_expenditure_st", "fiscal_expenditure", 1.0),
], columns=["code", "level", "numerator", "denominator", "multiplier"])

COUPLING = pd.DataFrame([("t_two", "province", "t_prov_a", "t_prov_b", "test")],
                        columns=["coupling", "level", "subsystem_1", "subsystem_2",
                                 "description"])


def synthetic_upstream(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cities = [f"99{i:02d}00" for i in range(1, 15)]
    provinces = [f"98{i:02d}00" for i in range(1, 10)]
    years = list(range(2015, 2021))
    city_rows, patent_rows, province_rows = [], [], []
    for c in cities:
        pop = rng.uniform(100, 900)
        for y in years:
            total = rng.uniform(50, 300)
            values = {
                "population": pop * (1 + 0.01 * (y - 2015)),
                "broadband_users": pop * rng.uniform(0.1, 0.5),
                "telecom_business": rng.uniform(1, 50),
                "employment_total": total,
                "employment_manufacturing": total * rng.uniform(0.1, 0.4),
                **{k: total * rng.uniform(0.01, 0.08) for k in PRODUCER_SERVICES},
                "sei_revenue": rng.uniform(0, 200),
                "sei_employment": rng.uniform(0.5, 20),
            }
            for k, v in values.items():
                city_rows.append((c, y, k, float(v), bool(rng.random() < 0.1)))
            if rng.random() < 0.8:
                n = int(rng.integers(20, 200))
                d = int(rng.integers(0, n))
                patent_rows.append((c, y, n, n // 2, d, d // 2, d // 3))
    for p in provinces:
        for y in years:
            fiscal = rng.uniform(2000, 9000)
            values = {
                "rd_expenditure": rng.uniform(50, 2000),
                "rd_expenditure_enterprise": rng.uniform(30, 1500),
                "patents_granted": rng.uniform(1e3, 2e5),
                "tech_market_inflow_value": rng.uniform(10, 3000),
                "fiscal_expenditure": fiscal,
                "fiscal_expenditure_st": fiscal * rng.uniform(0.005, 0.06),
            }
            for k, v in values.items():
                province_rows.append((p, y, k, float(v), False))
    city = pd.DataFrame(city_rows, columns=["city_code", "year", "indicator_code", "value",
                                            "is_imputed"])
    # holes: a missing broadband value drops 990300-2016 from t_city; a missing finance
    # employment drops 990500-2018 from the co-agglomeration and its reference totals
    city.loc[(city.city_code == "990300") & (city.year == 2016)
             & (city.indicator_code == "broadband_users"), "value"] = np.nan
    city.loc[(city.city_code == "990500") & (city.year == 2018)
             & (city.indicator_code == "employment_finance"), "value"] = np.nan
    province = pd.DataFrame(province_rows, columns=["region_code", "year", "indicator_code",
                                                    "value", "is_imputed"])
    province.loc[(province.region_code == "980200") & (province.year == 2019)
                 & (province.indicator_code == "patents_granted"), "value"] = np.nan
    patents = pd.DataFrame(patent_rows, columns=["city_code", "application_year",
                                                 *PATENT_COUNTS])
    regions = pd.DataFrame(
        [(c, f"城市{c}", "测试省") for c in cities] + [(p, f"省{p}", f"省{p}") for p in provinces],
        columns=["region_code", "region_name", "province_name"])
    return {"city": city, "province": province, "patents": patents, "regions": regions}


def read_tables(db: Path, names: list[str]) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {n: con.execute(f"select * from {n}").df() for n in names}


MARTS = ["marts.index_entropy_weights", "marts.index_entropy_scores",
         "marts.index_entropy_dimension_scores", "marts.index_pca_scores",
         "marts.index_coagglomeration", "marts.index_coupling_coordination",
         "marts.city_indices"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("indices")
    db = tmp / "indices.duckdb"
    data = synthetic_upstream()
    run_dbt(tmp, db, "seed", "--select", *INDEX_SEEDS)
    with duckdb.connect(str(db)) as con:
        for schema in ["intermediate", "marts"]:
            con.execute(f"create schema if not exists {schema}")
        con.register("city_df", data["city"])
        con.register("province_df", data["province"])
        con.register("patents_df", data["patents"])
        con.register("regions_df", data["regions"])
        con.execute("create table intermediate.int_city_indicators_interpolated as "
                    "select city_code, cast(year as integer) as year, indicator_code, value, "
                    "is_imputed from city_df")
        con.execute("create table intermediate.int_province_indicators_interpolated as "
                    "select region_code, cast(year as integer) as year, indicator_code, value, "
                    "is_imputed from province_df")
        con.execute("create table intermediate.int_city_patent_counts as select city_code, "
                    "cast(application_year as integer) as application_year, "
                    + ", ".join(f"cast({c} as bigint) as {c}" for c in PATENT_COUNTS)
                    + " from patents_df")
        con.execute("create table marts.dim_regions as select * from regions_df")
        # the test systems replace the shipped rows (the models read the seeds' tables)
        for table, frame in [("ref_index_systems", SYSTEMS),
                             ("ref_index_indicators", DEFINITIONS),
                             ("ref_index_coupling", COUPLING)]:
            con.register("frame", frame)
            cols = ", ".join(frame.columns)
            con.execute(f"delete from ref.{table}")
            con.execute(f"insert into ref.{table} ({cols}) select {cols} from frame")
            con.unregister("frame")
    # province_indices also reads marts.province_panel, which this fixture does not build;
    # its co-agglomeration is the same macro as index_coagglomeration's, checked here
    run_dbt(tmp, db, "build", "--select", *INDEX_MODELS, "--exclude", "province_indices")
    panel = read_tables(db, MARTS)
    run_dbt(tmp, db, "run", "--select", "int_index_entropy_standardized",
            "index_entropy_weights", "index_entropy_scores", "--vars", "{entropy_scope: year}")
    by_year = read_tables(db, ["marts.index_entropy_weights", "marts.index_entropy_scores"])
    return {"data": data, "panel": panel, "year": by_year}


def synthetic_wide(data: dict, level: str) -> pd.DataFrame:
    if level == "city":
        base = city_base(data["city"], data["patents"])
    else:
        base = data["province"].assign(level="province")
    return wide_values(base, DEFINITIONS, level)


def indexed(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.set_index(["region_code", "year"])[column].sort_index()


def check_system(marts: dict, wide: pd.DataFrame, system: str, rows: pd.DataFrame,
                 by_year: bool = False) -> dict:
    ref = system_reference(wide, rows, by_year)
    w = marts["marts.index_entropy_weights"]
    w = w[w["system"] == system]
    for year, expected in ref["weights"].items():
        got = w[w["weight_year"].isna()] if year is None else w[w["weight_year"] == year]
        got = got.set_index("indicator_code").loc[expected["indicator_code"]]
        np.testing.assert_allclose(got["entropy"], expected["entropy"], rtol=0, atol=TOL)
        np.testing.assert_allclose(got["weight"], expected["weight"], rtol=0, atol=TOL)
        dims = expected.groupby("dimension")["weight"].sum()
        np.testing.assert_allclose(got["dimension_weight"],
                                   dims.loc[got["dimension"]].to_numpy(), rtol=0, atol=TOL)
    s = marts["marts.index_entropy_scores"]
    got = indexed(s[s["system"] == system], "index_value")
    assert got.index.equals(ref["index"].index)
    np.testing.assert_allclose(got, ref["index"], rtol=0, atol=TOL)
    return ref


def test_entropy_weights_and_scores_match_numpy(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["panel"]
    for system in ["t_city", "t_prov_a", "t_prov_b"]:
        rows = SYSTEMS[SYSTEMS["system"] == system]
        ref = check_system(marts, synthetic_wide(data, rows["level"].iloc[0]), system, rows)
        if system == "t_city":
            # the fixed weight is kept, the missing broadband value left a region-year out,
            # the negative indicator counts against the index
            assert ("990300", 2016) not in ref["index"].index
            w = ref["weights"][None].set_index("indicator_code")["weight"]
            assert w["population"] == pytest.approx(0.2)
            assert w.sum() == pytest.approx(1.0)


def test_within_year_entropy_matches_numpy(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["year"]
    for system in ["t_city", "t_prov_a"]:
        rows = SYSTEMS[SYSTEMS["system"] == system]
        check_system(marts, synthetic_wide(data, rows["level"].iloc[0]), system, rows,
                     by_year=True)


def test_dimension_scores_add_up_to_the_index(synthetic) -> None:
    marts = synthetic["panel"]
    dims = marts["marts.index_entropy_dimension_scores"]
    total = dims.groupby(["system", "region_code", "year"])["score"].sum().sort_index()
    scores = marts["marts.index_entropy_scores"].set_index(
        ["system", "region_code", "year"])["index_value"].sort_index()
    np.testing.assert_allclose(total.loc[scores.index], scores, rtol=0, atol=TOL)


def test_pca_composite_matches_svd(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["panel"]
    pca = marts["marts.index_pca_scores"]
    for system in ["t_city", "t_prov_a", "t_prov_b"]:
        rows = SYSTEMS[SYSTEMS["system"] == system]
        sample = synthetic_wide(data, rows["level"].iloc[0])[rows["indicator_code"]].dropna()
        expected = pca_reference(sample, dict(zip(rows.indicator_code, rows.direction,
                                                  strict=True)))
        got = indexed(pca[pca["system"] == system], "composite")
        assert got.index.equals(expected.index)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)


def test_coagglomeration_matches_numpy(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["panel"]
    expected = coagglomeration_reference(data["city"])
    got = marts["marts.index_coagglomeration"].set_index(["city_code", "year"]).sort_index()
    assert ("990500", 2018) not in got.index
    assert got.index.equals(expected.index)
    np.testing.assert_allclose(got["lq_manufacturing"], expected["lqm"], rtol=1e-12)
    np.testing.assert_allclose(got["lq_producer_services"], expected["lqs"], rtol=1e-12)
    np.testing.assert_allclose(got["coagglomeration"], expected["co"], rtol=1e-12)


def test_coupling_coordination_matches_numpy(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["panel"]
    wide = synthetic_wide(data, "province")
    u = {s: system_reference(wide, SYSTEMS[SYSTEMS["system"] == s])["index"]
         for s in ["t_prov_a", "t_prov_b"]}
    expected = coupling_reference(u["t_prov_a"], u["t_prov_b"])
    got = marts["marts.index_coupling_coordination"].set_index(["region_code", "year"])
    got = got.sort_index()
    assert ("980200", 2019) not in got.index  # not in t_prov_a's sample
    assert got.index.equals(expected.index)
    for column, ref in [("u1", "u1"), ("u2", "u2"), ("coupling_degree", "c"),
                        ("coordination_index", "t"), ("coordination_degree", "d")]:
        np.testing.assert_allclose(got[column], expected[ref], rtol=0, atol=TOL)
    assert (got["coordination_grade"] == expected["d"].map(grade)).all()


def test_city_indices_carry_the_new_quality_variables(synthetic) -> None:
    data, marts = synthetic["data"], synthetic["panel"]
    city = data["city"].pivot_table(index=["city_code", "year"], columns="indicator_code",
                                    values="value", aggfunc="first", dropna=False)
    got = marts["marts.city_indices"].set_index(["city_code", "year"]).sort_index()
    assert got.index.equals(city.index)
    np.testing.assert_allclose(got["ln_sei_employment"], np.log(city["sei_employment"]),
                               rtol=1e-12)
    np.testing.assert_allclose(got["ln_sei_revenue"], np.log(city["sei_revenue"]), rtol=1e-12)
    np.testing.assert_allclose(got["sei_employment_share"],
                               city["sei_employment"] / city["employment_total"], rtol=1e-12)


# --- the published warehouse, shipped seeds ---------------------------------------------------

def test_published_indices_match_numpy(built_warehouse: Warehouse) -> None:
    tables = read_tables(built_warehouse.published, [
        "intermediate.int_city_indicators_interpolated", "intermediate.int_city_patent_counts",
        "intermediate.int_province_indicators_interpolated", "ref.ref_index_systems",
        "ref.ref_index_indicators", "ref.ref_index_coupling", *MARTS,
    ])
    systems = tables["ref.ref_index_systems"]
    definitions = tables["ref.ref_index_indicators"]
    city = tables["intermediate.int_city_indicators_interpolated"]
    bases = {
        "city": city_base(city, tables["intermediate.int_city_patent_counts"]),
        "province": tables["intermediate.int_province_indicators_interpolated"]
        .assign(level="province"),
    }
    wides = {level: wide_values(b, definitions, level) for level, b in bases.items()}
    index = {}
    for system, rows in systems.groupby("system", sort=False):
        ref = check_system(tables, wides[rows["level"].iloc[0]], system, rows)
        index[system] = ref["index"]
    assert {"city_digital_economy", "province_innovation", "province_innovation_chain",
            "province_industrial_chain"} <= set(index)
    for pair in tables["ref.ref_index_coupling"].itertuples():
        expected = coupling_reference(index[pair.subsystem_1], index[pair.subsystem_2])
        got = tables["marts.index_coupling_coordination"]
        got = got[got["coupling"] == pair.coupling].set_index(["region_code", "year"])
        got = got.sort_index()
        assert got.index.equals(expected.index)
        np.testing.assert_allclose(got["coordination_degree"], expected["d"], rtol=0, atol=TOL)
    expected = coagglomeration_reference(city)
    got = tables["marts.index_coagglomeration"].set_index(["city_code", "year"]).sort_index()
    np.testing.assert_allclose(got["coagglomeration"], expected["co"], rtol=1e-12)
