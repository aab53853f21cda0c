{{ config(alias='patents', materialized='table') }}

-- raw.patents on the spark target: the landing zone's patent extracts (CSV or Parquet) read by
-- Spark itself and mapped to the raw.patents columns (macros/spark/landing.sql). Enabled on
-- the spark target only (dbt_project.yml); on DuckDB orchestration/ingest loads raw.patents.

{{ spark_landing_patents_sql() }}
