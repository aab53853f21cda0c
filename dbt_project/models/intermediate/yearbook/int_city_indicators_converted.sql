-- City yearbook values for the whole city (全市), as catalogue indicators in canonical units,
-- keyed by city code.
--
-- Indicator names are matched through ref_indicator_aliases (name aliases; an alias scoped
-- to files by source_pattern wins over unscoped ones) and units converted through ref_units,
-- the same seeds orchestration/ingest/indicators.py applies on ingest, where rows with an
-- unknown indicator or an unconvertible unit are quarantined with the reason.
--
-- Rows are EXCLUDED here, on purpose, when:
--   * scope is 市辖区 (city proper): the panels use whole-city values;
--   * the indicator name has no alias, or the printed unit is unknown or of another
--     dimension than the canonical unit (e.g. 美元 for 亿元): such values must not reach a
--     panel; ingest quarantines them;
--   * region_name is not a ref_cities city_name: province heading and subtotal rows, and any
--     city whose printed name differs from the reference name (former names are matched by
--     the region matcher);
--   * the value is NULL (a missing marker such as —): the panel leaves the indicator NULL.

with

values_whole_city as (

    select * from {{ ref('stg_yearbook__city_yearbook_values') }}
    where scope = '全市'
        and value_printed_unit is not null

),

aliases as (

    select
        indicator_code,
        lower(regexp_replace(alias, '\s', '', 'g')) as alias_key,
        nullif(source_pattern, '') as source_pattern
    from {{ ref('ref_indicator_aliases') }}
    where alias_kind = 'name'

),

indicators as (

    select * from {{ ref('ref_indicators') }}

),

units as (

    select
        {{ unit_key('unit') }} as unit_key,
        dimension,
        to_base
    from {{ ref('ref_units') }}

),

cities as (

    select * from {{ ref('ref_cities') }}

),

matched as (

    select
        values_whole_city.*,
        aliases.indicator_code
    from values_whole_city
    inner join aliases
        on lower(regexp_replace(values_whole_city.indicator_name, '\s', '', 'g'))
            = aliases.alias_key
        and (
            aliases.source_pattern is null
            or values_whole_city.source_file glob aliases.source_pattern
        )
    -- a scoped alias that matches the file beats unscoped ones
    qualify rank() over (
        partition by
            values_whole_city.source_file, values_whole_city.sheet_name,
            values_whole_city.source_row, values_whole_city.source_col
        order by aliases.source_pattern is null
    ) = 1

),

converted as (

    select
        cities.city_code,
        matched.year,
        matched.indicator_code,
        {{ convert_unit_by_base(
            'matched.value_printed_unit', 'printed_unit.to_base', 'canonical_unit.to_base'
        ) }} as value,
        indicators.canonical_unit as unit,

        -- provenance: where the printed number came from
        matched.region_name,
        matched.value_printed_unit,
        matched.unit_printed,
        matched.source_file,
        matched.sheet_name,
        matched.source_row,
        matched.source_col

    from matched
    inner join indicators
        on matched.indicator_code = indicators.code
    inner join units as printed_unit
        on {{ unit_key('matched.unit_printed') }} = printed_unit.unit_key
    inner join units as canonical_unit
        on {{ unit_key('indicators.canonical_unit') }} = canonical_unit.unit_key
        and printed_unit.dimension = canonical_unit.dimension
    inner join cities
        on matched.region_name = cities.city_name

)

select * from converted
