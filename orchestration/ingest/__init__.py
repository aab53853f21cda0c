"""Pure readers and normalizers for landing files (no Dagster, no DuckDB)."""
