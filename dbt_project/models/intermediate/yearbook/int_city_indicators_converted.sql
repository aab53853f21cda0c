-- City yearbook values for the whole city (全市), as catalogue indicators in canonical units,
-- keyed by city code.
--
-- Rows are EXCLUDED here, on purpose, when:
--   * scope is 市辖区 (city proper): the panels use whole-city values;
--   * the (indicator name, printed unit) pair is not in ref_indicators: an unknown header or a
--     unit we do not know how to convert must not reach a panel. These rows are still in
--     staging; quarantining them with a reason is a later issue;
--   * region_name is not a ref_cities city_name: province heading and subtotal rows, and any
--     city whose printed name differs from the reference name (former names are a later issue);
--   * the value is NULL (a missing marker such as —): the panel leaves the indicator NULL.

with

values_whole_city as (

    select * from {{ ref('stg_yearbook__city_yearbook_values') }}
    where scope = '全市'
        and value_printed_unit is not null

),

indicators as (

    select * from {{ ref('ref_indicators') }}

),

cities as (

    select * from {{ ref('ref_cities') }}

),

converted as (

    select
        cities.city_code,
        values_whole_city.year,
        indicators.code as indicator_code,
        {{ convert_unit_by_factor(
            'values_whole_city.value_printed_unit', 'indicators.factor_to_canonical'
        ) }} as value,
        indicators.canonical_unit as unit,

        -- provenance: where the printed number came from
        values_whole_city.region_name,
        values_whole_city.value_printed_unit,
        values_whole_city.unit_printed,
        values_whole_city.source_file,
        values_whole_city.sheet_name,
        values_whole_city.source_row,
        values_whole_city.source_col

    from values_whole_city
    inner join indicators
        on values_whole_city.indicator_name = indicators.name_zh
        and values_whole_city.unit_printed = indicators.unit_printed
    inner join cities
        on values_whole_city.region_name = cities.city_name

)

select * from converted
