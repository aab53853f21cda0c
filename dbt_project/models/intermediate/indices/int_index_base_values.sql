-- Every value an index system can use, long: one row per level x region x year x indicator.
--
--   city:     the city yearbook indicators (int_city_indicators_interpolated: every catalogue
--             indicator on the city panel grid, interior gaps interpolated) and the patent
--             counts of int_city_patent_counts by application year (macro
--             index_patent_count_indicators), 0 for a city-year of the grid without a located
--             patent, as in marts.city_panel;
--   province: the provincial indicators (int_province_indicators_interpolated: the 31
--             province-level units, 2010 to the last reported year).
--
-- NULL values (edge gaps, series never reported) are kept: int_index_system_values decides
-- which region-years an index can use.

{%- set patent_counts = index_patent_count_indicators() %}

with

city_indicators as (

    select
        'city' as level,
        city_code as region_code,
        year,
        indicator_code,
        value,
        is_imputed
    from {{ ref('int_city_indicators_interpolated') }}

),

city_years as (

    select distinct city_code, year
    from {{ ref('int_city_indicators_interpolated') }}

),

patent_counts_long as (

    unpivot {{ ref('int_city_patent_counts') }}
    on {{ patent_counts | join(', ') }}
    into name indicator_code value patent_count

),

city_patents as (

    select
        'city' as level,
        city_years.city_code as region_code,
        city_years.year,
        patent_indicators.indicator_code,
        -- a city-year with no located patent has zero patents, not unknown
        cast(coalesce(patent_counts_long.patent_count, 0) as double) as value,
        false as is_imputed
    from city_years
    cross join (
        select unnest([{% for code in patent_counts %}'{{ code }}'{{ ', ' if not loop.last }}{% endfor %}])
            as indicator_code
    ) as patent_indicators
    left join patent_counts_long
        on city_years.city_code = patent_counts_long.city_code
        and city_years.year = patent_counts_long.application_year
        and patent_indicators.indicator_code = patent_counts_long.indicator_code

),

province_indicators as (

    select
        'province' as level,
        region_code,
        year,
        indicator_code,
        value,
        is_imputed
    from {{ ref('int_province_indicators_interpolated') }}

),

unioned as (

    select * from city_indicators
    union all
    select * from city_patents
    union all
    select * from province_indicators

)

select
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(year as integer) as year,
    cast(indicator_code as varchar) as indicator_code,
    cast(value as double) as value,
    cast(is_imputed as boolean) as is_imputed
from unioned
