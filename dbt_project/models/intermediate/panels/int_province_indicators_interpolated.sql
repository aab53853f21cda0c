-- The provincial indicators on a full grid - every province x year x indicator of the
-- province panel - with interior gaps filled by linear interpolation and every value flagged
-- (macro interpolate_gaps, macros/panels.sql).
--
-- Grid: the 31 province-level units of dim_regions, every year from var
-- province_panel_start_year (2010) to the last year with a reported provincial value, every
-- indicator reported for at least one province. Reported years before the start (the
-- technology market tables also have 2000 and 2005, the NBS population 2000-2017) still serve
-- as neighbours for interpolation. The national total is not interpolated: the national check
-- compares reported values only.

with

observed as (

    select
        region_code,
        indicator_code,
        year,
        value
    from {{ ref('int_province_indicators') }}
    where region_level = 'province'

),

indicators as (

    select
        code as indicator_code,
        canonical_unit as unit
    from {{ ref('ref_indicators') }}

),

provinces as (

    select region_code
    from {{ ref('dim_regions') }}
    where is_province_level

),

panel_years as (

    select unnest(range({{ province_panel_start_year() }}, max(year) + 1)) as year
    from observed

),

grid as (

    select
        provinces.region_code,
        panel_indicators.indicator_code,
        panel_years.year
    from provinces
    cross join (select distinct indicator_code from observed) as panel_indicators
    cross join panel_years

),

interpolated as (

    {{ interpolate_gaps('grid', 'observed', 'region_code') }}

),

final as (

    select
        interpolated.region_code,
        cast(interpolated.year as integer) as year,
        interpolated.indicator_code,
        interpolated.value,
        indicators.unit,
        interpolated.imputation,
        interpolated.imputation in ('interpolated', 'extrapolated') as is_imputed,
        interpolated.value_observed,
        cast(interpolated.source_year_before as integer) as source_year_before,
        cast(interpolated.source_year_after as integer) as source_year_after
    from interpolated
    left join indicators
        on interpolated.indicator_code = indicators.indicator_code

)

select * from final
