"""Econometrics for the DRI warehouse: panel estimators, tests, paper-style tables and
figures.

Modules (each public function returns a result object with tidy ``*_frame()`` outputs):

* ``panel``: pooled / entity / two-way fixed-effects OLS with Stata-equivalent errors.
* ``random_effects``: Swamy-Arora random effects (Stata ``xtreg, re`` / plm).
* ``specification``: F test of effects, Breusch-Pagan LM, Hausman (with the
  per-coefficient table), Breusch-Pagan / White and modified Wald heteroskedasticity.
* ``descriptive``: EViews-style descriptive statistics with Jarque-Bera; correlations
  with p-values.
* ``unit_root``: ADF with finite-sample p-values; Fisher-type panel tests (Maddala-Wu,
  Choi Z) with per-cross-section results.
* ``cointegration``: Kao (1999) residual-based panel cointegration tests.
* ``mediation``: stepwise mediation, Sobel, vectorized cluster bootstrap (percentile and
  bias-corrected intervals).
* ``heterogeneity``: regressions by group; interaction model with a Wald test of equal
  slopes (and a Chow-type version).
* ``threshold``: Hansen (1999) panel threshold model, 1-3 thresholds, bootstrap tests,
  LR confidence intervals.
* ``nonlinear``: quadratic effects and the Lind-Mehlum U-shape test.
* ``transforms``: winsorizing (Stata ``winsor2``), log(1 + x), calendar lags.
* ``stat_tests``: the common test result type; ``tables`` / ``figures``: output.

Pure Python (pandas, numpy, scipy, linearmodels, statsmodels, matplotlib); it imports
neither Dagster nor DuckDB, so studies can be re-run from a notebook on an exported
panel.
"""
