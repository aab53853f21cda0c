"""The covariance estimators the panel models offer (`models_py.panel.fit_panel_ols` and the
study specifications that name one). Kept apart from `models_py.panel` so that reading a
study specification does not load linearmodels and scipy."""

from __future__ import annotations

from typing import Literal

CovType = Literal["unadjusted", "robust", "clustered_entity", "clustered_twoway"]
COV_TYPES: tuple[str, ...] = ("unadjusted", "robust", "clustered_entity", "clustered_twoway")
