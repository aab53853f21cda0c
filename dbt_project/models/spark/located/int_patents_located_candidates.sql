{{ config(schema='intermediate', materialized='table') }}

-- Spark only: every full or short place name found in each address head, before the short
-- ones are checked against their anchors (the CTE `matches_raw` of the macro
-- patents_located), over int_patents_located_addresses.

{{ patents_located(output='matches_raw') }}
