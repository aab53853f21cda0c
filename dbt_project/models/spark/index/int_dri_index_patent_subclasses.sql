{{ config(schema='intermediate', materialized='table') }}

-- Spark only: the distinct (integrated patent, IPC subclass, side) rows of the located
-- integrated patents (the CTE `patent_subclasses` of the macro dri_index_components), a table
-- so that dri_index_components reads it four times instead of joining patents and codes in
-- each reader (see macros/spark/stages.sql).

{{ dri_index_components(output='patent_subclasses') }}
