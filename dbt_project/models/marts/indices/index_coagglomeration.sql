-- Co-agglomeration of manufacturing and producer services (paper 004's mediator; docs block
-- coagglomeration): one row per city-year with employment in manufacturing, in every
-- producer-service industry of the seed ref_index_producer_services and in total.
--
--   LQm_it = (Em_it / E_it) / (Em_t / E_t)     manufacturing location quotient
--   LQs_it = (Es_it / E_it) / (Es_t / E_t)     producer services (sum of the seed's industries)
--   coagglomeration_it = (1 - |LQm - LQs| / (LQm + LQs)) + (LQm + LQs)
-- The reference region (Em_t, Es_t, E_t) is the national total of year t, taken as the sum
-- over the panel's cities with complete employment that year (macro coagglomeration_by_region,
-- shared with province_indices). Employment is urban-unit (城镇单位) employment at year-end.

with

employment as (

    select
        city_code as region_code,
        year,
        indicator_code,
        value,
        is_imputed
    from {{ ref('int_city_indicators_interpolated') }}

),

coagglomeration as (

    select * from {{ coagglomeration_by_region('employment') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

final as (

    select
        coagglomeration.region_code as city_code,
        regions.region_name as city_name,
        regions.province_name,
        coagglomeration.year,
        coagglomeration.employment_total,
        coagglomeration.employment_manufacturing,
        coagglomeration.employment_producer_services,
        coagglomeration.lq_manufacturing,
        coagglomeration.lq_producer_services,
        coagglomeration.coagglomeration_quality,
        coagglomeration.coagglomeration,
        coagglomeration.reference_regions as reference_cities,
        coagglomeration.any_imputed
    from coagglomeration
    left join regions
        on coagglomeration.region_code = regions.region_code

)

select
    cast(city_code as varchar) as city_code,
    cast(city_name as varchar) as city_name,
    cast(province_name as varchar) as province_name,
    cast(year as integer) as year,
    cast(employment_total as double) as employment_total,
    cast(employment_manufacturing as double) as employment_manufacturing,
    cast(employment_producer_services as double) as employment_producer_services,
    cast(lq_manufacturing as double) as lq_manufacturing,
    cast(lq_producer_services as double) as lq_producer_services,
    cast(coagglomeration_quality as double) as coagglomeration_quality,
    cast(coagglomeration as double) as coagglomeration,
    cast(reference_cities as bigint) as reference_cities,
    cast(any_imputed as boolean) as any_imputed
from final
