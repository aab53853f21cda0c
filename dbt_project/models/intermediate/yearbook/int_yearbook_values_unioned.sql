-- Every yearbook value, from both raw tables, in one relation: the printed tables
-- (raw.city_yearbook_values: printed pages, NBS portal tables, wide panels) and the long
-- exports (raw.yearbook_long_values). Which file shape a value came in says nothing about its
-- level: a long export may list cities, a portal table provinces. The panels pick their rows
-- by the region's level (matched per row on ingest), not by the table they came from;
-- source_table keeps where each row was read.

with

printed as (

    select
        'city_yearbook_values' as source_table,
        *,
        cast(null as varchar) as indicator_key
    from {{ ref('stg_yearbook__city_yearbook_values') }}

),

long_exports as (

    select
        'yearbook_long_values' as source_table,
        *
    from {{ ref('stg_yearbook__long_values') }}

)

select * from printed
union all by name
select * from long_exports
