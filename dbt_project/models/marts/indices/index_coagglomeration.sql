-- Co-agglomeration of manufacturing and producer services (paper 004's mediator; docs block
-- coagglomeration): one row per city-year with employment in manufacturing, in every
-- producer-service industry of the seed ref_index_producer_services and in total.
--
--   LQm_it = (Em_it / E_it) / (Em_t / E_t)     manufacturing location quotient
--   LQs_it = (Es_it / E_it) / (Es_t / E_t)     producer services (sum of the seed's industries)
--   coagglomeration_it = (1 - |LQm - LQs| / (LQm + LQs)) + (LQm + LQs)
-- The reference region (Em_t, Es_t, E_t) is the national total of year t, taken as the sum
-- over the panel's cities with complete employment that year (the yearbooks print no national
-- figure for the same units). Employment is urban-unit (城镇单位) employment at year-end.

{%- set manufacturing = coagglomeration_manufacturing_indicator() %}
{%- set total = coagglomeration_total_indicator() %}

with

employment as (

    select * from {{ ref('int_city_indicators_interpolated') }}

),

producer_services as (

    select * from {{ ref('ref_index_producer_services') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

flagged as (

    select
        employment.*,
        producer_services.indicator_code is not null as is_producer_service
    from employment
    left join producer_services
        on employment.indicator_code = producer_services.indicator_code

),

city_years as (

    select
        city_code,
        year,
        any_value(value) filter (where indicator_code = '{{ total }}') as employment_total,
        any_value(value) filter (where indicator_code = '{{ manufacturing }}')
            as employment_manufacturing,
        sum(value) filter (where is_producer_service) as employment_producer_services,
        count(value) filter (where is_producer_service) as n_producer_services,
        coalesce(bool_or(is_imputed) filter (
            where is_producer_service
                or indicator_code in ('{{ total }}', '{{ manufacturing }}')
        ), false) as any_imputed
    from flagged
    group by city_code, year

),

complete as (

    select * from city_years
    where employment_total > 0
        and employment_manufacturing is not null
        and n_producer_services = (select count(*) from producer_services)

),

national as (

    select
        year,
        sum(employment_total) as national_total,
        sum(employment_manufacturing) as national_manufacturing,
        sum(employment_producer_services) as national_producer_services,
        count(*) as n_cities
    from complete
    group by year

),

quotients as (

    select
        complete.*,
        national.n_cities as reference_cities,
        (complete.employment_manufacturing / complete.employment_total)
            / nullif(national.national_manufacturing / national.national_total, 0)
            as lq_manufacturing,
        (complete.employment_producer_services / complete.employment_total)
            / nullif(national.national_producer_services / national.national_total, 0)
            as lq_producer_services
    from complete
    inner join national
        on complete.year = national.year

),

final as (

    select
        quotients.city_code,
        regions.region_name as city_name,
        regions.province_name,
        quotients.year,
        quotients.employment_total,
        quotients.employment_manufacturing,
        quotients.employment_producer_services,
        quotients.lq_manufacturing,
        quotients.lq_producer_services,
        case
            when lq_manufacturing + lq_producer_services > 0
                then 1 - abs(lq_manufacturing - lq_producer_services)
                    / (lq_manufacturing + lq_producer_services)
        end as coagglomeration_quality,
        case
            when lq_manufacturing + lq_producer_services > 0
                then 1 - abs(lq_manufacturing - lq_producer_services)
                    / (lq_manufacturing + lq_producer_services)
                    + (lq_manufacturing + lq_producer_services)
        end as coagglomeration,
        quotients.reference_cities,
        quotients.any_imputed
    from quotients
    left join regions
        on quotients.city_code = regions.region_code

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
