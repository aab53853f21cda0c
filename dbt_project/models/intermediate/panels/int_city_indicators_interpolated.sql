-- The city yearbook indicators on a full grid - every city x year x indicator of the city
-- panel - with interior gaps filled by linear interpolation and every value flagged
-- (macro interpolate_gaps, macros/panels.sql).
--
-- Grid: the cities that have at least one yearbook value, every year from the first to the
-- last year of the city yearbook data, every indicator that the city yearbook carries; years
-- in which the unit did not exist (dim_regions validity, over all codes joined under the
-- current code) are left out. A year missing for one city is therefore a gap to interpolate,
-- not a missing row.

with

observed as (

    select
        city_code,
        indicator_code,
        year,
        value
    from {{ ref('int_city_indicators_converted') }}

),

indicators as (

    select
        code as indicator_code,
        canonical_unit as unit
    from {{ ref('ref_indicators') }}

),

validity as (

    -- year-end validity of the territory under each panel code (a converted 地区 and the city
    -- it became share one code; NULL bounds = before 2010 / still exists)
    select
        coalesce(current_code, region_code) as city_code,
        min(coalesce(valid_from, 0)) as valid_from,
        max(coalesce(valid_to, 9999)) as valid_to
    from {{ ref('dim_regions') }}
    where is_prefecture_level
    group by 1

),

panel_years as (

    select unnest(range(min(year), max(year) + 1)) as year
    from observed

),

grid as (

    select
        cities.city_code,
        panel_indicators.indicator_code,
        panel_years.year
    from (select distinct city_code from observed) as cities
    cross join (select distinct indicator_code from observed) as panel_indicators
    cross join panel_years
    inner join validity
        on cities.city_code = validity.city_code
        and panel_years.year between validity.valid_from and validity.valid_to

),

interpolated as (

    {{ interpolate_gaps('grid', 'observed', 'city_code') }}

),

final as (

    select
        interpolated.city_code,
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
