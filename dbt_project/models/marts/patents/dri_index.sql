-- The digital-real integration (DRI) index of every city-year of int_city_patent_counts
-- (docs blocks dri_index_components, dri_index_entropy):
--
--   dri_index      = sum_j w_j x'_ij             (entropy weights of dri_index_weights applied
--                                                  to the min-max standardized indicators; in
--                                                  [0, 1])
--   <dimension>_score = sum_{j in D} w_j x'_ij   (the four add up to dri_index)
--
-- next to the simple measures studies use instead: the integrated-patent count, ln(1 + count),
-- the integrated share, and paper 002's mediator, digital invention patents.

with

components as (

    select * from {{ ref('dri_index_components') }}

),

standardized as (

    select * from {{ ref('dri_index_standardized') }}

),

weights as (

    select * from {{ ref('dri_index_weights') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

scored as (

    select
        standardized.city_code,
        standardized.year,
        any_value(standardized.weight_year) as weight_year,
        {{ exact_sum('weights.weight * standardized.x_std') }} as dri_index,
        {%- for dimension in ['time', 'industry', 'region', 'network'] %}
        coalesce(
            {{ exact_sum(
                'weights.weight * standardized.x_std',
                filter="standardized.dimension = '" ~ dimension ~ "'"
            ) }},
            0
        ) as {{ dimension }}_score{{ ',' if not loop.last }}
        {%- endfor %}
    from standardized
    inner join weights
        on standardized.indicator_code = weights.indicator_code
        and standardized.weight_year is not distinct from weights.weight_year
    group by standardized.city_code, standardized.year

),

final as (

    select
        components.city_code,
        regions.region_name as city_name,
        regions.province_name,
        components.year,
        components.patents,
        components.digital_patents,
        components.digital_invention_patents,
        components.ln_digital_invention_patents,
        components.integrated_patents,
        components.ln_integrated_patents,
        components.integrated_share,
        scored.time_score,
        scored.industry_score,
        scored.region_score,
        scored.network_score,
        scored.dri_index,
        rank() over (partition by components.year order by scored.dri_index desc)
            as rank_in_year,
        scored.weight_year
    from components
    inner join scored
        on components.city_code = scored.city_code
        and components.year = scored.year
    left join regions
        on components.city_code = regions.region_code

)

select
    cast(city_code as {{ string_type() }}) as city_code,
    cast(city_name as {{ string_type() }}) as city_name,
    cast(province_name as {{ string_type() }}) as province_name,
    cast(year as integer) as year,
    cast(patents as bigint) as patents,
    cast(digital_patents as bigint) as digital_patents,
    cast(digital_invention_patents as bigint) as digital_invention_patents,
    cast(ln_digital_invention_patents as double) as ln_digital_invention_patents,
    cast(integrated_patents as bigint) as integrated_patents,
    cast(ln_integrated_patents as double) as ln_integrated_patents,
    cast(integrated_share as double) as integrated_share,
    cast(time_score as double) as time_score,
    cast(industry_score as double) as industry_score,
    cast(region_score as double) as region_score,
    cast(network_score as double) as network_score,
    cast(dri_index as double) as dri_index,
    cast(rank_in_year as bigint) as rank_in_year,
    cast(weight_year as integer) as weight_year
from final
