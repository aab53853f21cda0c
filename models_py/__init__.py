"""Econometrics for the DRI warehouse: panel estimators and tests, with Stata's numbers.

Everything an analysis needs is a top-level name::

    import models_py as mp

    df = mp.load_grunfeld()
    fe = mp.fit_panel_ols(df, "inv", ["value", "capital"], entity="firm", time="year")
    print(fe)                      # model, covariance, N, groups, coefficients, xtreg stats

Defaults are the same in every estimator: entity fixed effects when an entity column is
given, no time effects unless ``time_effects=True``, errors clustered by entity
(``xtreg y x, fe vce(cluster id)``); without entity and time columns the regressions are
pooled OLS with HC1-robust errors. ``fit_threshold`` (Hansen 1999) always has entity
effects; its regime coefficients default to White errors, as Hansen's tables.

Estimators: `fit_panel_ols` (pooled / entity / two-way FE), `fit_random_effects`
(Swamy-Arora), `mediate` (stepwise mediation, Sobel, cluster bootstrap), `fit_threshold`
(Hansen panel threshold), `by_group` / `interaction_model` (heterogeneity),
`fit_quadratic` (U shape, Lind-Mehlum), `principal_components` / `pca_tables` (indices).
Tests: `f_test_effects`, `breusch_pagan_lm`, `hausman` / `hausman_test`,
`heteroskedasticity_tests`, `wald_test`, `adf_test`, `fisher_adf`, `ips_test`,
`kao_test`. Descriptive: `describe`, `correlation`. Transforms: `winsorize`, `log1p`,
`lag_within`. Data: `load_grunfeld`, `load_hansen1999`.

Modules: ``panel``, ``random_effects``, ``specification``, ``descriptive``,
``unit_root``, ``cointegration``, ``mediation``, ``heterogeneity``, ``threshold``,
``nonlinear``, ``pca``, ``transforms``, ``stat_tests``; ``datasets`` (shipped reference
panels); ``output`` (tables in Markdown / LaTeX / Excel / HTML, figures, .dta files:
writers, no estimation); ``studies`` (YAML study specifications and their runner);
``spatial`` (region polygons, spatial weights, Moran's I and LISA with PySAL, choropleth and
cluster maps).

Names are imported on first use (PEP 562), so ``import models_py`` stays cheap. Pure
Python (pandas, numpy, scipy, linearmodels, statsmodels, matplotlib); it imports neither
Dagster nor DuckDB, so studies can be re-run from a notebook on an exported panel.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # estimators and their results
    "fit_panel_ols": "panel",
    "PanelResult": "panel",
    "XtregStats": "panel",
    "fit_random_effects": "random_effects",
    "RandomEffectsResult": "random_effects",
    "mediate": "mediation",
    "MediationResult": "mediation",
    "fit_threshold": "threshold",
    "ThresholdResult": "threshold",
    "lr_critical_value": "threshold",
    "by_group": "heterogeneity",
    "interaction_model": "heterogeneity",
    "InteractionResult": "heterogeneity",
    "wald_test": "heterogeneity",
    "fit_quadratic": "nonlinear",
    "lind_mehlum": "nonlinear",
    "UShapeResult": "nonlinear",
    "principal_components": "pca",
    "pca_tables": "pca",
    "PCAResult": "pca",
    # specification tests
    "f_test_effects": "specification",
    "breusch_pagan_lm": "specification",
    "hausman": "specification",
    "hausman_test": "specification",
    "HausmanResult": "specification",
    "heteroskedasticity_tests": "specification",
    "modified_wald": "specification",
    "fe_residuals": "specification",
    # unit roots and cointegration
    "adf_test": "unit_root",
    "fisher_adf": "unit_root",
    "ips_test": "unit_root",
    "kao_test": "cointegration",
    # descriptive statistics
    "describe": "descriptive",
    "correlation": "descriptive",
    # transforms
    "winsorize": "transforms",
    "log1p": "transforms",
    "lag_within": "transforms",
    # test results
    "StatTest": "stat_tests",
    "tests_frame": "stat_tests",
    # data
    "load_grunfeld": "datasets",
    "load_hansen1999": "datasets",
}
_SUBMODULES = (
    "cointegration", "datasets", "descriptive", "heterogeneity", "mediation", "nonlinear",
    "output", "panel", "pca", "random_effects", "specification", "stat_tests", "studies",
    "threshold", "transforms", "unit_root",
)

# Spelled out (not computed) so linters and IDEs read it; a test checks it is _EXPORTS.
__all__ = [
    "HausmanResult",
    "InteractionResult",
    "MediationResult",
    "PCAResult",
    "PanelResult",
    "RandomEffectsResult",
    "StatTest",
    "ThresholdResult",
    "UShapeResult",
    "XtregStats",
    "adf_test",
    "breusch_pagan_lm",
    "by_group",
    "correlation",
    "describe",
    "f_test_effects",
    "fe_residuals",
    "fisher_adf",
    "fit_panel_ols",
    "fit_quadratic",
    "fit_random_effects",
    "fit_threshold",
    "hausman",
    "hausman_test",
    "heteroskedasticity_tests",
    "interaction_model",
    "ips_test",
    "kao_test",
    "lag_within",
    "lind_mehlum",
    "load_grunfeld",
    "load_hansen1999",
    "log1p",
    "lr_critical_value",
    "mediate",
    "modified_wald",
    "pca_tables",
    "principal_components",
    "tests_frame",
    "wald_test",
    "winsorize",
]

if TYPE_CHECKING:  # what static checkers and IDEs see; at run time names load lazily
    from models_py.cointegration import kao_test
    from models_py.datasets import load_grunfeld, load_hansen1999
    from models_py.descriptive import correlation, describe
    from models_py.heterogeneity import InteractionResult, by_group, interaction_model, wald_test
    from models_py.mediation import MediationResult, mediate
    from models_py.nonlinear import UShapeResult, fit_quadratic, lind_mehlum
    from models_py.panel import PanelResult, XtregStats, fit_panel_ols
    from models_py.pca import PCAResult, pca_tables, principal_components
    from models_py.random_effects import RandomEffectsResult, fit_random_effects
    from models_py.specification import (
        HausmanResult,
        breusch_pagan_lm,
        f_test_effects,
        fe_residuals,
        hausman,
        hausman_test,
        heteroskedasticity_tests,
        modified_wald,
    )
    from models_py.stat_tests import StatTest, tests_frame
    from models_py.threshold import ThresholdResult, fit_threshold, lr_critical_value
    from models_py.transforms import lag_within, log1p, winsorize
    from models_py.unit_root import adf_test, fisher_adf, ips_test


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value  # later look-ups skip __getattr__
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBMODULES})
