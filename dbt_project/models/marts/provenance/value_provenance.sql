-- Every yearbook value with the cell it was read from, in one relation: what an analyst needs
-- to trace a panel number back to the file, sheet, row and column (and the header and region
-- name as printed there) without joining the raw tables. A view: it costs nothing to build
-- and always shows the current raw values.

{{ config(materialized='view') }}

with

yearbook_values as (

    select * from {{ ref('int_yearbook_values_unioned') }}

),

regions as (

    select region_code, region_name, level from {{ ref('dim_regions') }}

),

indicators as (

    select code, name_zh, name_en from {{ ref('ref_indicators') }}

)

select
    yearbook_values.region_code,
    regions.region_name,
    yearbook_values.region_level,
    yearbook_values.year,
    yearbook_values.indicator_code,
    indicators.name_zh as indicator_name_zh,
    indicators.name_en as indicator_name_en,
    yearbook_values.scope,
    yearbook_values.value_canonical as value,
    yearbook_values.canonical_unit as unit,

    -- as printed in the file
    yearbook_values.value_text as value_printed,
    yearbook_values.unit_printed,
    yearbook_values.indicator_name as header_printed,
    yearbook_values.region_name as region_printed,

    -- where
    yearbook_values.source_table,
    yearbook_values.source_file,
    yearbook_values.source_sha256,
    yearbook_values.sheet_name,
    yearbook_values.source_row,
    yearbook_values.source_col,
    yearbook_values.loaded_at
from yearbook_values
left join regions
    on yearbook_values.region_code = regions.region_code
left join indicators
    on yearbook_values.indicator_code = indicators.code
