-- Provincial (and national) values of the catalogue indicators from the long yearbook exports,
-- one row per region x year x indicator, in canonical units.
--
-- An indicator can be carried by more than one table (the R&D expenditure total is in
-- RDActivity and RDSource, in 万元, and in RDIntense, in 亿元 rounded to 0.1). One value is
-- kept per region, year and
-- indicator, chosen in this order:
--   1. the lowest source_preference (ref_indicator_aliases.preference: 1 = primary table);
--   2. the finer printed unit (smaller ref_units.to_base: 万元 before 亿元), because a
--      coarser unit carries fewer digits of the same number;
--   3. source file, then row: only so that the choice is deterministic.
-- Values come from the long exports and from printed tables at province level (NBS portal
-- tables, provincial yearbook pages), whichever raw table they were read into.
-- Missing values (NULL) are dropped first, so a missing marker in the preferred table does not
-- hide a value in another. candidate_count and candidate_spread show what the choice was
-- between.
--
-- Rows are EXCLUDED when the region is neither the national total nor a province-level unit
-- (the long exports are matched at those two levels only, so none are today).

with

long_values as (

    -- Long exports at any scope, and printed tables (portal tables, provincial yearbook pages)
    -- without a scope or for the whole unit. The national row of a printed CITY table is left
    -- out: in the China City Statistical Yearbook it is the sum over cities, not the nation.
    select * from {{ ref('int_yearbook_values_unioned') }}
    where value_canonical is not null
        -- matched at province or national level on ingest: a municipality in a city table
        -- (Beijing among the cities) is matched as a prefecture-level unit there
        and coalesce(region_level, 'province') in ('province', 'national')
        and (
            source_table = 'yearbook_long_values'
            or (coalesce(scope, '全市') = '全市' and region_level = 'province')
        )

),

regions as (

    select
        region_code,
        case when level = 'national' then 'national' else 'province' end as region_level
    from {{ ref('dim_regions') }}
    where level = 'national' or is_province_level

),

units as (

    select
        {{ unit_key('unit') }} as unit_key,
        to_base
    from {{ ref('ref_units') }}

),

candidates as (

    select
        long_values.*,
        regions.region_level as panel_level,
        units.to_base as printed_unit_to_base,
        count(*) over same_value as candidate_count,
        (max(long_values.value_canonical) over same_value
            - min(long_values.value_canonical) over same_value)
            / nullif(max(abs(long_values.value_canonical)) over same_value, 0)
            as candidate_spread
    from long_values
    inner join regions
        on long_values.region_code = regions.region_code
    left join units
        on {{ unit_key('long_values.unit_printed') }} = units.unit_key
    window same_value as (
        partition by long_values.region_code, long_values.year, long_values.indicator_code
    )

),

chosen as (

    select
        region_code,
        panel_level as region_level,
        year,
        indicator_code,
        value_canonical as value,
        canonical_unit as unit,
        source_preference,
        candidate_count,
        coalesce(candidate_spread, 0) as candidate_spread,

        -- provenance of the value kept
        region_name,
        indicator_name,
        indicator_key,
        value_printed_unit,
        unit_printed,
        source_file,
        source_row
    from candidates
    qualify row_number() over (
        partition by region_code, year, indicator_code
        order by
            source_preference nulls last,
            printed_unit_to_base nulls last,
            source_file,
            source_row
    ) = 1

)

select * from chosen
