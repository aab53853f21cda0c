{{ config(schema='intermediate', materialized='table') }}

-- Spark only: each address head's city, province, method and number of candidate cities
-- (the CTE `addresses_located` of the macro patents_located), which int_patents_located
-- joins back to the patents.

{{ patents_located(output='addresses_located') }}
