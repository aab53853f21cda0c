-- One row per province-year of marts.province_panel with the provincial indices paper 004
-- reads: the digital economy index of the index system named by var
-- `province_digital_economy_system` (PCA composite and entropy score; NULL where the system
-- has no value) and the co-agglomeration of manufacturing and producer services, computed by
-- the same macro as the city mart index_coagglomeration over the 31 provinces.

{%- set system = var('province_digital_economy_system', 'province_digital_economy') %}

with

panel as (

    select province_code, province_name, region3, year from {{ ref('province_panel') }}

),

employment as (

    select region_code, year, indicator_code, value, is_imputed
    from {{ ref('int_province_indicators_interpolated') }}

),

coagglomeration as (

    select * from {{ coagglomeration_by_region('employment') }}

),

pca as (

    select region_code, year, composite, composite_scaled
    from {{ ref('index_pca_scores') }}
    where system = '{{ system }}'

),

entropy as (

    select region_code, year, index_value
    from {{ ref('index_entropy_scores') }}
    where system = '{{ system }}'

),

final as (

    select
        panel.province_code,
        panel.province_name,
        panel.region3,
        panel.year,
        pca.composite as digital_economy_pca,
        pca.composite_scaled as digital_economy_pca_scaled,
        entropy.index_value as digital_economy_entropy,
        coagglomeration.employment_total,
        coagglomeration.employment_manufacturing,
        coagglomeration.employment_producer_services,
        coagglomeration.lq_manufacturing,
        coagglomeration.lq_producer_services,
        coagglomeration.coagglomeration_quality,
        coagglomeration.coagglomeration,
        coagglomeration.reference_regions as reference_provinces,
        coagglomeration.any_imputed as employment_imputed
    from panel
    left join pca
        on panel.province_code = pca.region_code and panel.year = pca.year
    left join entropy
        on panel.province_code = entropy.region_code and panel.year = entropy.year
    left join coagglomeration
        on panel.province_code = coagglomeration.region_code
        and panel.year = coagglomeration.year

)

select
    cast(province_code as varchar) as province_code,
    cast(province_name as varchar) as province_name,
    cast(region3 as varchar) as region3,
    cast(year as integer) as year,
    cast(digital_economy_pca as double) as digital_economy_pca,
    cast(digital_economy_pca_scaled as double) as digital_economy_pca_scaled,
    cast(digital_economy_entropy as double) as digital_economy_entropy,
    cast(employment_total as double) as employment_total,
    cast(employment_manufacturing as double) as employment_manufacturing,
    cast(employment_producer_services as double) as employment_producer_services,
    cast(lq_manufacturing as double) as lq_manufacturing,
    cast(lq_producer_services as double) as lq_producer_services,
    cast(coagglomeration_quality as double) as coagglomeration_quality,
    cast(coagglomeration as double) as coagglomeration,
    cast(reference_provinces as bigint) as reference_provinces,
    cast(employment_imputed as boolean) as employment_imputed
from final
