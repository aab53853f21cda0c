"""The synthetic provincial world (orchestration/demo/province.py): its files read
like real long exports, it writes no indicator the real bundled tables carry, and the
estimators of models_py recover its true effects at the default seed.

Tolerances are written next to each check; where a true value is a pseudo-true one (a linear
model of a threshold world) it is the generator's noise-free projection, so the tolerance
only has to cover the sampling noise (about 3 standard errors)."""

import numpy as np
import pandas as pd
import pytest
import yaml

from models_py.cointegration import kao_test
from models_py.heterogeneity import interaction_model
from models_py.panel import fit_panel_ols
from models_py.specification import heteroskedasticity_tests
from models_py.threshold import fit_threshold
from models_py.unit_root import fisher_adf
from orchestration.demo import province as dp
from orchestration.ingest.bundled import BUNDLED_LONG
from orchestration.ingest.landing import discover
from orchestration.ingest.long_export import read_long_export
from orchestration.ingest.normalize import normalize_yearbook_values

E, T = "province_code", "year"
Y000 = "ln_industrial_valid_invention_patents"
X000 = ["enterprise_websites_per_100", "ln_fdi_used", "ln_industrial_rd_expenditure"]
Y004 = "ln_hightech_new_product_revenue"
C004 = ["ln_gdp", "ln_fdi_used"]
DEI = "digital_economy_pca_scaled"


@pytest.fixture(scope="module")
def demo() -> dp.ProvinceDemo:
    return dp.simulate_province()


def _read_normalized(landing) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames, bad = [], []
    for file in discover(landing):
        values, quarantine = read_long_export(file)
        kept, rejected = normalize_yearbook_values(
            values, "raw.yearbook_long_values", ("national", "province"))
        frames.append(kept)
        bad += [quarantine, rejected]
    return pd.concat(frames, ignore_index=True), pd.concat(bad, ignore_index=True)


def test_written_files_read_as_a_long_export_with_sidecar_and_truth(tmp_path):
    path = dp.write_province_demo(tmp_path / "landing", tmp_path / "truth.yml")
    values, quarantine = _read_normalized(tmp_path / "landing")
    assert quarantine.empty
    assert set(values["indicator_code"]) == set(dp.PRINTED)
    per_code = values.groupby("indicator_code")["value_canonical"]
    assert (per_code.size() == 31 * len(dp.YEARS)).all()
    # the printed missing cells, and only they, are NULL
    nulls = per_code.apply(lambda v: v.isna().sum())
    assert set(nulls[nulls > 0].index) == set(dp.MISSING_CODES)
    meta = yaml.safe_load(path.with_name(path.name + ".meta.yml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "orchestration/demo/province.py" in meta["producer"]
    assert meta["true_effects"]["p004_threshold_gamma"] == dp.GAMMA
    truth = yaml.safe_load((tmp_path / "truth.yml").read_text(encoding="utf-8"))
    assert truth["synthetic"] is True and truth["parameters"] == meta["true_effects"]


def test_no_indicator_of_the_real_bundled_tables_is_written(tmp_path):
    landing = tmp_path / "landing"
    (landing / "yearbook_long").mkdir(parents=True)
    import shutil
    shutil.copytree(BUNDLED_LONG, landing / "yearbook_long" / "real")
    real, _ = _read_normalized(landing)
    assert not set(real["indicator_code"]) & set(dp.PRINTED)


def test_printed_values_are_the_panel_values(demo):
    # value_canonical of the long export equals the panel column (same rounding), so the
    # warehouse sees exactly the world the truth describes
    long = demo.long[demo.long["指标"] == "高技术产业新产品销售收入"]
    printed = pd.to_numeric(long["数值"]).to_numpy() / 1e4  # 万元 -> 亿元
    assert np.allclose(printed, demo.panel["hightech_new_product_revenue"], rtol=1e-12)


def test_coagglomeration_formula_and_constructed_first_stage(demo):
    # hand computation for two regions, one year: shares (m, s) of total employment
    total, m, s = np.array([100.0, 300.0]), np.array([30.0, 60.0]), np.array([10.0, 45.0])
    lqm = (m / total) / (m.sum() / total.sum())
    lqs = (s / total) / (s.sum() / total.sum())
    expected = 1 - abs(lqm - lqs) / (lqm + lqs) + lqm + lqs
    assert np.allclose(dp.coagglomeration(total, m, s, np.array([2020, 2020])), expected)
    # the measured index is the constructed kappa_t + A DEI + eta up to printing: employment
    # is rounded to 0.01 万人, up to 0.5 % of the smallest industries (eta has sd 0.05)
    gap = (demo.panel["coagglomeration"] - demo.panel["coagglomeration_target"]).abs()
    assert gap.max() < 5e-3


def test_pca_index_tracks_the_latent_digital_economy(demo):
    corr = np.corrcoef(demo.panel["digital_economy_pca"],
                       demo.panel["latent_digital_economy"])[0, 1]
    assert corr > 0.95
    assert demo.panel[DEI].min() == 0 and demo.panel[DEI].max() == 1


def test_paper000_fixed_effects_slope_and_errors(demo):
    p, truth = demo.panel, demo.truth["paper000"]
    fe = fit_panel_ols(p, Y000, X000, E, T, time_effects=False)
    ordinary = fit_panel_ols(p, Y000, X000, E, T, time_effects=False, cov="unadjusted")
    core = "enterprise_websites_per_100"
    assert abs(fe.params[core] - truth["fe_slope_ei_pseudo_true"]) < 3 * fe.std_errors[core]
    assert abs(fe.params["ln_industrial_rd_expenditure"]
               - truth["fe_ln_industrial_rd_expenditure_pseudo_true"]) < 0.15
    # serially correlated errors: clustered errors exceed the ordinary ones
    assert (fe.std_errors > ordinary.std_errors).all()
    tests = {t.test: t for t in heteroskedasticity_tests(p, Y000, X000, E, T)}
    assert tests["Breusch-Pagan (Koenker) LM"].p_value < 0.01
    assert tests["Modified Wald (groupwise heteroskedasticity)"].p_value < 0.01


def test_paper000_region_interaction(demo):
    result = interaction_model(demo.panel, "region3", Y000, "enterprise_websites_per_100",
                               X000[1:], E, T, base="east", time_effects=False)
    params, errors = result.model.params, result.model.std_errors
    for group in ("central", "west"):
        term = f"enterprise_websites_per_100_x_region3_{group}"
        true = dp.B_REGION[group] - dp.B_REGION["east"]
        assert abs(params[term] - true) < 3 * errors[term], (group, params[term], true)
        assert params[term] < 0
    # per-province slopes differ: the truth records them, their spread is the DGP's
    slopes = [v["b"] for v in demo.truth["paper000"]["province_slopes"].values()]
    assert np.std(slopes) > 0.003


def test_paper000_unit_roots_and_cointegration(demo):
    p = demo.panel
    # levels are I(1): the Fisher-ADF test does not reject "every series has a unit root"
    for variable in (Y000, "enterprise_websites_per_100"):
        chi2 = fisher_adf(p, variable, E, T).tests_frame().iloc[0]
        assert chi2["p_value"] > 0.10, variable
    # the error is stationary: Kao rejects "no cointegration"
    kao = kao_test(p, Y000, X000, E, T).tests_frame().set_index("test")
    assert kao.loc["Kao ADF", "p_value"] < 0.05


def test_paper004_mediation_and_region_slopes(demo):
    p, truth = demo.panel, demo.truth["paper004"]
    total = fit_panel_ols(p, Y004, [DEI, *C004], E, T, time_effects=True)
    first = fit_panel_ols(p, "coagglomeration", [DEI, *C004], E, T, time_effects=True)
    direct = fit_panel_ols(p, Y004, [DEI, "coagglomeration", *C004], E, T, time_effects=True)
    assert abs(first.params[DEI] - dp.A_DEI_ON_CA) < 3 * first.std_errors[DEI]
    assert abs(direct.params["coagglomeration"] - dp.B_CA_ON_Y) < (
        3 * direct.std_errors["coagglomeration"])
    assert abs(total.params[DEI] - truth["total_effect_linear_pseudo_true"]) < (
        3 * total.std_errors[DEI])
    assert abs(direct.params[DEI] - truth["direct_effect_linear_pseudo_true"]) < (
        3 * direct.std_errors[DEI])
    indirect = first.params[DEI] * direct.params["coagglomeration"]
    assert abs(indirect - dp.A_DEI_ON_CA * dp.B_CA_ON_Y) < 0.15
    east = p["region3"].eq("east")
    slope = {name: fit_panel_ols(p[rows], Y004, [DEI, *C004], E, T, time_effects=True).params[DEI]
             for name, rows in (("east", east), ("central_west", ~east))}
    assert truth["linear_slope_east_pseudo_true"] > truth["linear_slope_central_west_pseudo_true"]
    assert slope["east"] > slope["central_west"]
    for name in slope:
        assert abs(slope[name] - truth[f"linear_slope_{name}_pseudo_true"]) < 0.4


def test_paper004_threshold(demo):
    result = fit_threshold(demo.panel, Y004, DEI, "urbanization_rate",
                           ["coagglomeration", *C004], E, T, n_boot=50)
    assert abs(result.thresholds[0] - dp.GAMMA) < 1.0
    coefs = result.coefficients_frame().set_index("term")
    low, high = coefs.loc[f"{DEI}_regime1"], coefs.loc[f"{DEI}_regime2"]
    assert abs(low["estimate"] - dp.BETA_LOW) < 3 * low["std_error"]
    assert abs(high["estimate"] - dp.BETA_HIGH) < 3 * high["std_error"]
    assert result.tests_frame().iloc[0]["p_value"] < 0.05
