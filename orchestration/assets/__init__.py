"""Thin Dagster wrappers around the pure code in `orchestration.ingest` and `models_py`."""
