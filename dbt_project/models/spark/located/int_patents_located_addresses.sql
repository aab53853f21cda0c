{{ config(schema='intermediate', materialized='table') }}

-- Spark only: the distinct administrative heads of the addresses int_patents_located reads
-- (the CTE `addresses` of the macro patents_located: head, its number, its text without
-- whitespace), a table so that the name matching reads it instead of re-running the
-- regular expression over every patent wherever it is read (see the macro's header).

{{ patents_located(output='addresses') }}
