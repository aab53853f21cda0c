"""The public face of models_py: top-level names, lazy imports, one set of defaults."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pandas as pd
import pytest

import models_py as mp


def test_all_lists_every_export_and_each_resolves_to_its_module() -> None:
    assert mp.__all__ == sorted(mp._EXPORTS)
    for name, module in mp._EXPORTS.items():
        assert getattr(mp, name) is getattr(
            importlib.import_module(f"models_py.{module}"), name), name
    for name in ("fit_panel_ols", "fit_random_effects", "mediate", "fit_threshold",
                 "f_test_effects", "hausman_test", "fisher_adf", "ips_test", "kao_test",
                 "describe", "correlation", "load_grunfeld"):
        assert name in mp.__all__
        assert name in dir(mp)


def test_submodules_and_unknown_names() -> None:
    assert mp.output.__name__ == "models_py.output"
    assert mp.panel.__name__ == "models_py.panel"
    with pytest.raises(AttributeError, match="no attribute 'fit_everything'"):
        _ = mp.fit_everything


def test_import_is_lazy() -> None:
    """``import models_py`` loads no estimator (linearmodels, statsmodels, scipy)."""
    code = ("import sys, models_py; "
            "print(sorted(m for m in ('linearmodels', 'statsmodels', 'scipy', 'pandas', "
            "'models_py.panel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


ESTIMATORS = ["fit_panel_ols", "fit_random_effects", "mediate", "by_group",
              "interaction_model", "fit_quadratic"]
TESTS = ["f_test_effects", "breusch_pagan_lm", "hausman_test", "heteroskedasticity_tests",
         "fe_residuals"]


@pytest.mark.parametrize("name", ESTIMATORS + TESTS)
def test_one_set_of_defaults(name: str) -> None:
    """No time effects unless asked; entity effects (where the function has the option)
    and errors clustered by entity (None = clustered by entity when there is an entity
    column, HC1 without one)."""
    params = inspect.signature(getattr(mp, name)).parameters
    assert params["time_effects"].default is False
    if "entity_effects" in params:
        assert params["entity_effects"].default in (True, None)
    if "cov" in params:
        assert params["cov"].default in ("clustered_entity", None)


def test_defaults_are_what_the_summary_says() -> None:
    df = mp.load_grunfeld()
    fe = mp.fit_panel_ols(df, "inv", ["value", "capital"], "firm", "year")
    assert (fe.entity_effects, fe.time_effects, fe.cov_type) == (True, False,
                                                                  "clustered_entity")
    assert "entity fixed effects" in fe.summary()
    assert "clustered by firm (10 clusters)" in fe.summary()
    re = mp.fit_random_effects(df, "inv", ["value", "capital"], "firm", "year")
    assert (re.time_effects, re.cov_type) == (False, "clustered_entity")
    assert "random effects (Swamy-Arora GLS)" in re.summary()
    med = mp.mediate(df, "inv", "value", "capital", n_boot=0)
    assert med.total.cov_type == "robust" and not med.total.entity_effects
    assert "pooled OLS" in med.summary()
    panel_med = mp.mediate(df, "inv", "value", "capital", [], "firm", "year", n_boot=0)
    assert panel_med.total.cov_type == "clustered_entity" and panel_med.total.entity_effects


def test_pooled_mediation_equals_three_ols_fits_and_resamples_rows() -> None:
    import statsmodels.api as sm

    df = mp.load_grunfeld()
    med = mp.mediate(df, "inv", "value", "capital", n_boot=50, seed=1)
    a = sm.OLS(df["capital"], sm.add_constant(df[["value"]])).fit(cov_type="HC1")
    b = sm.OLS(df["inv"], sm.add_constant(df[["value", "capital"]])).fit(cov_type="HC1")
    assert med.a == pytest.approx(a.params["value"], rel=1e-10)
    assert med.b == pytest.approx(b.params["capital"], rel=1e-10)
    assert med.a_path.std_errors["value"] == pytest.approx(a.bse["value"], rel=1e-10)
    assert med.draws is not None and med.draws.indices.shape == (50, len(df))
    effects = med.effects_frame().set_index(["effect", "method"])
    assert isinstance(effects, pd.DataFrame)
    assert ("indirect", "bootstrap percentile") in effects.index


def test_options_that_need_a_panel_key_say_so() -> None:
    df = mp.load_grunfeld()
    with pytest.raises(ValueError, match="need an entity column"):
        mp.fit_panel_ols(df, "inv", ["value"], cov="clustered_entity")
    with pytest.raises(ValueError, match="need an entity column"):
        mp.mediate(df, "inv", "value", "capital", entity_effects=True, n_boot=0)
    with pytest.raises(ValueError, match="need a time column"):
        mp.fit_panel_ols(df, "inv", ["value"], "firm", time_effects=True)


def test_every_panel_result_prints_the_model_it_ran() -> None:
    import numpy as np

    df = mp.load_grunfeld().assign(size=lambda d: np.where(d["firm"] <= 5, "big", "small"))
    inter = mp.interaction_model(df, "size", "inv", "value", ["capital"], "firm", "year")
    quad = mp.fit_quadratic(df, "inv", "value", ["capital"], "firm", "year")
    groups = mp.by_group(df, "size", "inv", ["value", "capital"], "firm", "year")
    for text in (str(inter), str(quad), *(str(r) for r in groups.values())):
        assert "Model:        entity fixed effects" in text
        assert "Covariance:   clustered by firm" in text
        assert "N:            " in text and "Groups:       " in text
    assert "Slopes by group:" in str(inter) and "Turning point" in str(quad)
