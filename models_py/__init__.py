"""Econometrics for the DRI warehouse: panel estimators, paper-style tables and figures.

Pure Python (pandas, numpy, linearmodels, statsmodels, matplotlib); it imports neither
Dagster nor DuckDB, so studies can be re-run from a notebook on an exported panel.
"""
