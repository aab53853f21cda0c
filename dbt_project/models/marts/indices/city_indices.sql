-- The city-level indices and the new-quality industry variables of paper 002 side by side:
-- one row per city-year of the city panel grid (int_city_indicators_interpolated), to be
-- joined to marts.city_panel on (city_code, year).
--
--   digital_economy_entropy / _pca: the entropy index and the PCA composite of the index
--       system named by var city_indices_system (default city_digital_economy);
--   lq_* and coagglomeration: marts.index_coagglomeration;
--   sei_revenue, sei_employment (new-quality industries: operating revenue and employment of
--       strategic emerging industries) and their logs, for swapping the dependent variable
--       (paper 002, robustness check 2).

{%- set system = city_indices_system() %}

with

city_values as (

    select * from {{ ref('int_city_indicators_interpolated') }}

),

city_years as (

    select
        city_code,
        year,
        any_value(value) filter (where indicator_code = 'sei_revenue') as sei_revenue,
        any_value(value) filter (where indicator_code = 'sei_employment') as sei_employment,
        any_value(value) filter (where indicator_code = 'employment_total') as employment_total,
        coalesce(bool_or(is_imputed) filter (where indicator_code = 'sei_revenue'), false)
            as sei_revenue_imputed,
        coalesce(bool_or(is_imputed) filter (where indicator_code = 'sei_employment'), false)
            as sei_employment_imputed
    from city_values
    group by city_code, year

),

entropy as (

    select * from {{ ref('index_entropy_scores') }}
    where system = '{{ system }}'

),

pca as (

    select * from {{ ref('index_pca_scores') }}
    where system = '{{ system }}'

),

coagglomeration as (

    select * from {{ ref('index_coagglomeration') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

joined as (

    select
        city_years.city_code,
        regions.region_name as city_name,
        regions.province_name,
        city_years.year,
        entropy.index_value as digital_economy_entropy,
        pca.composite as digital_economy_pca,
        pca.composite_scaled as digital_economy_pca_scaled,
        coagglomeration.lq_manufacturing,
        coagglomeration.lq_producer_services,
        coagglomeration.coagglomeration,
        city_years.sei_revenue,
        city_years.sei_employment,
        case when city_years.sei_revenue > 0 then ln(city_years.sei_revenue) end
            as ln_sei_revenue,
        case when city_years.sei_employment > 0 then ln(city_years.sei_employment) end
            as ln_sei_employment,
        city_years.sei_employment / nullif(city_years.employment_total, 0)
            as sei_employment_share,
        city_years.sei_revenue_imputed,
        city_years.sei_employment_imputed
    from city_years
    left join regions
        on city_years.city_code = regions.region_code
    left join entropy
        on city_years.city_code = entropy.region_code
        and city_years.year = entropy.year
    left join pca
        on city_years.city_code = pca.region_code
        and city_years.year = pca.year
    left join coagglomeration
        on city_years.city_code = coagglomeration.city_code
        and city_years.year = coagglomeration.year

)

select
    cast(city_code as varchar) as city_code,
    cast(city_name as varchar) as city_name,
    cast(province_name as varchar) as province_name,
    cast(year as integer) as year,
    cast(digital_economy_entropy as double) as digital_economy_entropy,
    cast(digital_economy_pca as double) as digital_economy_pca,
    cast(digital_economy_pca_scaled as double) as digital_economy_pca_scaled,
    cast(lq_manufacturing as double) as lq_manufacturing,
    cast(lq_producer_services as double) as lq_producer_services,
    cast(coagglomeration as double) as coagglomeration,
    cast(sei_revenue as double) as sei_revenue,
    cast(sei_employment as double) as sei_employment,
    cast(ln_sei_revenue as double) as ln_sei_revenue,
    cast(ln_sei_employment as double) as ln_sei_employment,
    cast(sei_employment_share as double) as sei_employment_share,
    cast(sei_revenue_imputed as boolean) as sei_revenue_imputed,
    cast(sei_employment_imputed as boolean) as sei_employment_imputed
from joined
