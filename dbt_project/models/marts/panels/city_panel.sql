-- One row per prefecture-level city x year of the city yearbook data (the grid of
-- int_city_indicators_interpolated), with the yearbook indicators after interpolation of
-- interior gaps (each flagged), patent counts, the DRI index, the log / ratio variables of the
-- studies and the region groups for heterogeneity analysis.

{%- set indicators = city_panel_indicators() %}

with

indicators as (

    select * from {{ ref('int_city_indicators_interpolated') }}

),

patent_counts as (

    select * from {{ ref('int_city_patent_counts') }}

),

regions as (

    select * from {{ ref('dim_regions') }}
    where is_prefecture_level

),

-- the DRI index: the four-dimension composite of marts.dri_index (the share is integrated_share)
dri as (

    select city_code, year, dri_index
    from {{ ref('dri_index') }}

),

yearbook_wide as (

    select
        city_code,
        year,
        {%- for indicator in indicators %}
        any_value(value) filter (where indicator_code = '{{ indicator }}') as {{ indicator }},
        {%- endfor %}
        {%- for indicator in indicators %}
        coalesce(bool_or(is_imputed) filter (where indicator_code = '{{ indicator }}'), false)
            as {{ indicator }}_imputed{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators
    group by city_code, year

),

joined as (

    select
        yearbook_wide.*,
        regions.region_name as city_name,
        regions.province_name,
        regions.region4,
        regions.region3,
        regions.hu_side,
        -- a city-year with no located patent has zero patents, not unknown
        coalesce(patent_counts.patents, 0) as patents,
        coalesce(patent_counts.invention_patents, 0) as invention_patents,
        coalesce(patent_counts.digital_patents, 0) as digital_patents,
        coalesce(patent_counts.digital_invention_patents, 0) as digital_invention_patents,
        coalesce(patent_counts.integrated_patents, 0) as integrated_patents,
        dri.dri_index
    from yearbook_wide
    inner join regions
        on yearbook_wide.city_code = regions.region_code
    left join patent_counts
        on yearbook_wide.city_code = patent_counts.city_code
        and yearbook_wide.year = patent_counts.application_year
    left join dri
        on yearbook_wide.city_code = dri.city_code
        and yearbook_wide.year = dri.year

),

final as (

    select
        cast(city_code as varchar) as city_code,
        cast(city_name as varchar) as city_name,
        cast(province_name as varchar) as province_name,
        cast(year as integer) as year,
        cast(gdp as double) as gdp,
        cast(population as double) as population,
        cast(fiscal_expenditure as double) as fiscal_expenditure,
        cast(sei_revenue as double) as sei_revenue,
        cast(sei_employment as double) as sei_employment,
        cast(patents as bigint) as patents,
        cast(invention_patents as bigint) as invention_patents,
        cast(digital_patents as bigint) as digital_patents,
        cast(digital_invention_patents as bigint) as digital_invention_patents,
        cast(integrated_patents as bigint) as integrated_patents,

        -- integrated-patent share (docs block integrated_share); not the DRI index below
        case
            when patents > 0 then cast(integrated_patents as double) / patents
        end as integrated_share,
        cast(dri_index as double) as dri_index,

        -- logs are NULL, not -inf / NaN, where the argument is not positive
        cast(case when sei_revenue > 0 then ln(sei_revenue) end as double) as ln_sei_revenue,
        -- paper 002's replacement dependent variable (robustness): SEI employment
        cast(case when sei_employment > 0 then ln(sei_employment) end as double)
            as ln_sei_employment,
        cast(ln(1 + digital_invention_patents) as double) as ln_digital_invention,
        cast(
            case
                when gdp > 0 and population > 0
                    then ln(
                        {{ convert_unit('gdp', '亿元', '元') }}
                        / {{ convert_unit('population', '万人', '人') }}
                    )
            end as double
        ) as ln_pgdp,
        cast(fiscal_expenditure / nullif(gdp, 0) as double) as gov,
        cast(case when population > 0 then ln(population) end as double) as ln_population,

        -- region groups (dim_regions) for heterogeneity analysis
        cast(region4 as varchar) as region4,
        cast(region3 as varchar) as region3,
        cast(hu_side as varchar) as hu_side,

        -- true where the yearbook value was interpolated (or extrapolated), not reported
        {%- for indicator in indicators %}
        cast({{ indicator }}_imputed as boolean) as {{ indicator }}_imputed
            {{- ',' if not loop.last }}
        {%- endfor %}
    from joined

)

select * from final
