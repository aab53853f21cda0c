{{ config(schema='intermediate', materialized='table') }}

-- Spark only: the place names found in each address head, a match inside a longer one
-- dropped (the CTE `matches` of the macro patents_located), over
-- int_patents_located_addresses.

{{ patents_located(output='matches') }}
