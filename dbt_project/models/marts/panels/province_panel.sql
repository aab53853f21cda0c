-- One row per province-level unit x year (2010 to the last reported year: 31 x 14 = 434 rows
-- for the bundled tables), with the real provincial science-and-technology indicators wide
-- (macro province_panel_indicators), interior gaps linearly interpolated and flagged in
-- `<indicator>_imputed`, and the region groups of dim_regions.

{%- set indicators = province_panel_indicators() %}

with

indicators as (

    select * from {{ ref('int_province_indicators_interpolated') }}

),

provinces as (

    select * from {{ ref('dim_regions') }}
    where is_province_level

),

wide as (

    select
        region_code,
        year,
        {%- for indicator in indicators %}
        any_value(value) filter (where indicator_code = '{{ indicator }}') as {{ indicator }},
        {%- endfor %}
        {%- for indicator in indicators %}
        coalesce(bool_or(is_imputed) filter (where indicator_code = '{{ indicator }}'), false)
            as {{ indicator }}_imputed{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators
    group by region_code, year

),

final as (

    select
        cast(wide.region_code as varchar) as province_code,
        cast(provinces.region_name as varchar) as province_name,
        cast(provinces.short_name as varchar) as province_short_name,
        cast(provinces.name_en as varchar) as province_name_en,
        cast(provinces.region4 as varchar) as region4,
        cast(provinces.region3 as varchar) as region3,
        cast(wide.year as integer) as year,
        {%- for indicator in indicators %}
        cast(wide.{{ indicator }} as double) as {{ indicator }},
        {%- endfor %}
        {%- for indicator in indicators %}
        cast(wide.{{ indicator }}_imputed as boolean) as {{ indicator }}_imputed
            {{- ',' if not loop.last }}
        {%- endfor %}
    from wide
    inner join provinces
        on wide.region_code = provinces.region_code

)

select * from final
