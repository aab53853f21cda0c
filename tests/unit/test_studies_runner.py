"""models_py.studies.runner: every table of the shipped studies runs on simulated panels
(SYNTHETIC data from the demo generators, built here without /tmp or a warehouse) and the
key estimates recover the generators' true effects.

Tolerances: each is about four standard errors of the estimate at the simulated size
(the standard errors are printed by the same tables; e.g. the total effect's clustered
s.e. is 0.06-0.08 with 80 cities, so its tolerance is 0.3), so a correct pipeline fails by
chance rarely and a mis-wired one (wrong dependent, controls, effects or sample) fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from models_py.studies.runner import StudyTable, prepare_panel, run_table
from models_py.studies.spec import SPEC_DIR, load_spec, required_columns, table_names
from orchestration.demo import city as demo_data
from orchestration.demo import province as demo_province

N_CITIES = 80
# Hu Huanyong line end points (Heihe, Tengchong), lon/lat
HEIHE, TENGCHONG = (127.50, 50.25), (98.49, 25.02)


def city_panel(seed: int = 7, n_cities: int = N_CITIES) -> pd.DataFrame:
    """The columns of marts.city_panel_balanced that paper 002 reads, from the demo DGP."""
    world = demo_data.simulate(seed=seed, n_cities=n_cities)
    t = world.truth.copy()
    seeds = demo_data.seeds_dir()
    cities = pd.read_csv(seeds / "ref_cities.csv", dtype={"city_code": str, "province_code": str})
    provinces = pd.read_csv(seeds / "ref_provinces.csv", dtype={"province_code": str})
    geo = cities.merge(provinces[["province_code", "region3"]], on="province_code")
    t = t.merge(geo[["city_code", "longitude", "latitude", "region3"]], on="city_code",
                how="left", validate="many_to_one")
    (ax, ay), (bx, by) = TENGCHONG, HEIHE
    cross = (bx - ax) * (t["latitude"] - ay) - (by - ay) * (t["longitude"] - ax)
    t["hu_side"] = np.where(cross > 0, "northwest", "southeast")
    t["sei_revenue"] = np.exp(t["ln_sei_revenue"])
    t["ln_sei_employment"] = np.log(world.yearbook["sei_employment_wan"].to_numpy())
    return t.drop(columns=["longitude", "latitude"])


def province_panel() -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """marts.province_panel-like rows from the provincial demo DGP (model variables the
    generator adds for itself are dropped: the studies derive their own)."""
    world = demo_province.simulate_province()
    provinces = pd.read_csv(demo_data.seeds_dir() / "ref_provinces.csv",
                            dtype={"province_code": str})
    drop = [c for c in world.panel.columns if c.startswith("ln_")] + [
        "digital_economy_pca", "digital_economy_pca_scaled", "latent_digital_economy",
        "coagglomeration_target", "above_threshold"]
    panel = world.panel.drop(columns=[c for c in drop if c in world.panel.columns])
    panel = panel.merge(provinces[["province_code", "name_en"]].rename(
        columns={"name_en": "province_name_en"}), on="province_code", how="left")
    return panel, world.truth, world.panel


@pytest.fixture(scope="module")
def city() -> pd.DataFrame:
    return city_panel()


@pytest.fixture(scope="module")
def province() -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    return province_panel()


def check_table(t: StudyTable, study: str, name: str) -> None:
    assert isinstance(t, StudyTable)
    assert (t.study, t.name) == (study, name)
    assert t.title and t.kind in ("regression", "statistics")
    assert not t.frame.empty
    assert list(t.tests.columns) == ["test", "statistic", "df", "p_value", "note"]
    assert all(np.isfinite(v) or v != v for v in t.key_numbers.values())
    if t.kind == "regression" and t.models:
        assert len(t.model_labels) == len(t.models) == t.frame.shape[1]


def test_paper002_every_table_recovers_the_truth(city: pd.DataFrame) -> None:
    spec = load_spec(SPEC_DIR / "paper002_city.yml")
    df = prepare_panel(spec, city)
    tables = {n: run_table(spec, n, df) for n in table_names(spec)}
    for n, t in tables.items():
        check_table(t, "paper002_city", n)

    total = demo_data.TRUE_TOTAL_EFFECT  # 1.3
    a = demo_data.TRUE_EFFECTS["a_integration_on_digital_inventions"]  # 2.0
    b = demo_data.TRUE_EFFECTS["b_digital_inventions_on_sei"]  # 0.4
    c = demo_data.TRUE_EFFECTS["c_direct_integration_on_sei"]  # 0.5

    bench = tables["benchmark"].key_numbers
    assert bench["(4) integrated_share"] == pytest.approx(total, abs=0.3)
    assert bench["(4) N"] == N_CITIES * len(demo_data.YEARS)
    # without the controls the index picks up the per-capita GDP shock it loads on
    assert bench["(1) integrated_share"] > bench["(4) integrated_share"] + 0.1

    med = tables["mediation"].key_numbers
    assert med["a"] == pytest.approx(a, abs=0.35)
    assert med["b"] == pytest.approx(b, abs=0.08)
    assert med["direct"] == pytest.approx(c, abs=0.3)
    assert med["total"] == pytest.approx(total, abs=0.3)
    assert med["total"] == pytest.approx(med["direct"] + med["indirect"], rel=1e-9)
    assert med["boot_ci_low"] < med["indirect"] < med["boot_ci_high"]
    assert med["indirect"] == pytest.approx(a * b, abs=0.25)
    assert med["sobel_p"] < 0.01
    frame = tables["mediation"].frame
    assert "Sobel Z" in frame.index and "Bootstrap draws" in frame.index

    rob = tables["robustness"]
    assert rob.model_labels == ["ln(1+x)", "Employment", "Lagged core", "Winsorized"]
    assert rob.key_numbers["(3) N"] == N_CITIES * (len(demo_data.YEARS) - 1)
    assert rob.key_numbers["(4) integrated_share"] == pytest.approx(total, abs=0.3)
    assert rob.frame.loc["Dependent variable"].tolist() == [
        "ln(1 + SEI revenue)", "ln SEI employment", "ln SEI revenue", "ln SEI revenue"]

    for name in ("heterogeneity_region", "heterogeneity_hu_line"):
        het = tables[name]
        coefs = het.figure_data["coefficients"]
        assert sum(coefs["nobs"]) == N_CITIES * len(demo_data.YEARS)
        # the DGP has one slope everywhere: every group estimates 1.3
        for _, row in coefs.iterrows():
            assert row["conf_low"] - 0.1 < total < row["conf_high"] + 0.1
        assert len(het.tests) == 1


def test_paper002_benchmark_matches_linearmodels(city: pd.DataFrame) -> None:
    """Column (4) against an independent two-way FE fit with linearmodels' own effects."""
    spec = load_spec(SPEC_DIR / "paper002_city.yml")
    t = run_table(spec, "benchmark", city)
    data = city.set_index(["city_code", "year"])
    ref = PanelOLS(data["ln_sei_revenue"],
                   data[["integrated_share", "ln_pgdp", "gov", "ln_population"]],
                   entity_effects=True, time_effects=True).fit()
    got = t.models[3].params
    for term in ("integrated_share", "ln_pgdp", "gov", "ln_population"):
        assert got[term] == pytest.approx(ref.params[term], rel=1e-8)
    assert t.frame.loc["City FE"].tolist() == ["Yes"] * 4


def test_tables_are_deterministic_and_accept_raw_or_prepared_rows(city: pd.DataFrame) -> None:
    spec = load_spec(SPEC_DIR / "paper002_city.yml")
    first = run_table(spec, "mediation", city)
    second = run_table(spec, "mediation", prepare_panel(spec, city))
    assert first.key_numbers == second.key_numbers
    pd.testing.assert_frame_equal(first.frame, second.frame)


def test_paper000_every_table_and_the_truth(province) -> None:
    panel, truth, _ = province
    spec = load_spec(SPEC_DIR / "paper000_province.yml")
    df = prepare_panel(spec, panel)
    tables = {n: run_table(spec, n, df) for n in table_names(spec)}
    for n, t in tables.items():
        check_table(t, "paper000_province", n)
    p = truth["paper000"]
    fe = tables["fe_regression"].key_numbers
    assert fe["(1) enterprise_websites_per_100"] == pytest.approx(
        p["fe_slope_ei_pseudo_true"], abs=4 * fe["(1) enterprise_websites_per_100 se"])
    inter = tables["region_interaction"].models[0]
    params = truth["parameters"]
    for region, key in (("central", "p000_interaction_central_minus_east"),
                        ("west", "p000_interaction_west_minus_east")):
        term = f"enterprise_websites_per_100_x_region3_{region}"
        assert inter.params[term] == pytest.approx(params[key], abs=4 * inter.std_errors[term])
    assert tables["by_province"].frame.shape[1] == 31
    assert "Beijing" in tables["by_province"].model_labels[0]
    # the DGP's errors are serially correlated: clustered errors exceed ordinary ones
    ratio = tables["clustered_vs_ordinary"].key_numbers
    assert next(iter(v for k, v in ratio.items() if k.startswith("se ratio"))) > 1.0
    assert tables["unit_root_by_province"].frame.shape[0] == 31


def test_paper004_every_table_and_the_truth(province) -> None:
    panel, truth, generated = province
    spec = load_spec(SPEC_DIR / "paper004_province.yml")
    df = prepare_panel(spec, panel)
    # the index computed by the study is the generator's (= marts.index_pca_scores) index
    assert df["dei"].to_numpy() == pytest.approx(
        generated.sort_values(["province_code", "year"])["digital_economy_pca_scaled"]
        .to_numpy(), abs=1e-9)
    tables = {n: run_table(spec, n, df) for n in table_names(spec)}
    for n, t in tables.items():
        check_table(t, "paper004_province", n)
    params, p = truth["parameters"], truth["paper004"]
    med = tables["mediation"].key_numbers
    assert med["a"] == pytest.approx(params["p004_a_dei_on_coagglomeration"], abs=0.15)
    assert med["b"] == pytest.approx(params["p004_b_coagglomeration_on_y"], abs=0.3)
    assert med["total"] == pytest.approx(p["total_effect_linear_pseudo_true"], abs=0.4)
    thr = tables["threshold"].key_numbers
    assert thr["gamma1"] == pytest.approx(params["p004_threshold_gamma"], abs=2.0)
    assert thr["dei_regime1"] == pytest.approx(params["p004_beta_low"], abs=0.25)
    assert thr["dei_regime2"] == pytest.approx(params["p004_beta_high"], abs=0.25)
    assert thr["F1 p"] < 0.05
    lr = tables["threshold"].figure_data
    assert len(lr["lr_curves"]) == 1 and len(lr["lr_curves"][0]) == len(lr["grid"])
    het = tables["heterogeneity_region"].figure_data["coefficients"]
    assert het["group"].tolist() == ["East", "Central/West"]
    assert tables["pca_index"].key_numbers["kmo"] > 0.5


def test_real_study_tables_run_on_a_panel_with_its_columns() -> None:
    """The real S&T study's numbers come from the warehouse; here only that every table
    runs on a random panel with its columns (positive values, 31 x 14)."""
    spec = load_spec(SPEC_DIR / "real_province_st.yml")
    rng = np.random.default_rng(3)
    n, years = 31, list(range(2010, 2024))
    panel = pd.DataFrame({"province_code": np.repeat([f"{i:02d}0000" for i in range(11, 42)],
                                                     len(years)),
                          "year": years * n})
    for col in sorted(required_columns(spec) - {"province_code", "year"}):
        panel[col] = np.exp(rng.normal(2, 0.5, len(panel)))
    panel["region3"] = np.repeat(rng.permutation(["east", "central", "west"] * 11)[:n],
                                 len(years))
    panel["province_name_en"] = panel["province_code"]
    df = prepare_panel(spec, panel)
    assert df["year"].min() == 2011
    for n_ in table_names(spec):
        check_table(run_table(spec, n_, df), "real_province_st", n_)
