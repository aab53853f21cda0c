-- Yearbook values of prefecture-level cities for the whole city (全市), as catalogue indicators in canonical units,
-- keyed by city code: one row per city x year x indicator.
--
-- Region codes, indicator codes and canonical-unit values are attached on ingest
-- (orchestration/ingest/normalize.py); cells whose region, indicator or unit could not be
-- matched never reach raw (they are in quality.quarantine). No names are matched here.
--
-- Rows are EXCLUDED here, on purpose, when:
--   * scope is 市辖区 (city proper): the panels use whole-city values; a value with no scope
--     (a city-level long export or wide panel that prints none) is taken as whole-city;
--   * the region is not a prefecture-level unit (dim_regions.is_prefecture_level): province
--     heading and subtotal rows;
--   * the value is NULL (a missing marker such as —): the panel interpolates or leaves it NULL.
--
-- A 地区 converted to a city (毕节地区 522400 -> 毕节市 520500, same territory) is keyed by the
-- current code (dim_regions.current_code), so its series continues across the change; the
-- code as matched stays in region_code. If two cells still give the same city, year and
-- indicator, the one with the lowest source_preference is kept (then file, sheet, row, column:
-- deterministic), and candidate_count says how many there were.

with

values_whole_city as (

    -- printed tables and long exports alike: the region's level decides (prefecture_units)
    select * from {{ ref('int_yearbook_values_unioned') }}
    where coalesce(scope, '全市') = '全市'
        and value_canonical is not null
        -- a municipality is a province and a prefecture-level unit under one code: in a
        -- provincial table (matched at province level on ingest) it is not a city value
        and coalesce(region_level, 'prefecture') = 'prefecture'

),

prefecture_units as (

    select
        region_code,
        coalesce(current_code, region_code) as city_code
    from {{ ref('dim_regions') }}
    where is_prefecture_level

),

keyed as (

    select
        prefecture_units.city_code,
        values_whole_city.year,
        values_whole_city.indicator_code,
        values_whole_city.value_canonical as value,
        values_whole_city.canonical_unit as unit,
        values_whole_city.source_preference,
        count(*) over (
            partition by
                prefecture_units.city_code, values_whole_city.year,
                values_whole_city.indicator_code
        ) as candidate_count,

        -- provenance: where the number came from
        values_whole_city.region_code,
        values_whole_city.region_name,
        values_whole_city.value_printed_unit,
        values_whole_city.unit_printed,
        values_whole_city.source_file,
        values_whole_city.sheet_name,
        values_whole_city.source_row,
        values_whole_city.source_col
    from values_whole_city
    inner join prefecture_units
        on values_whole_city.region_code = prefecture_units.region_code
    qualify row_number() over (
        partition by
            prefecture_units.city_code, values_whole_city.year, values_whole_city.indicator_code
        order by
            values_whole_city.source_preference nulls last,
            values_whole_city.source_file,
            values_whole_city.sheet_name,
            values_whole_city.source_row,
            values_whole_city.source_col
    ) = 1

)

select * from keyed
