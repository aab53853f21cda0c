"""Sampling adequacy of every index system's PCA: KMO and Bartlett's test of sphericity, and
the retention rule applied; one row per system.

Computed by models_py.pca.pca_tables (formulas in its docstring and in the docs block
pca_composite) from the in-sample rows of intermediate.int_index_system_values. Retention rule
and threshold: dbt vars pca_retention (eigenvalue | cumulative | both) and
pca_cumulative_threshold (0.85), passed in through the model's YAML config.
"""

from models_py.pca import pca_tables


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_index_system_values").filter("in_sample").df()
    tables = pca_tables(
        values,
        rule=str(dbt.config.get("pca_retention")),
        threshold=float(dbt.config.get("pca_cumulative_threshold")),
    )
    return tables.adequacy
