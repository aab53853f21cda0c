-- Per application year: patents without a located city (what int_city_patent_counts leaves
-- out, kept visible for quality checks) and how the located ones were located
-- (int_patents_located.location_method).

with

patents as (

    select * from {{ ref('int_patents_classified') }}

),

counted as (

    select
        application_year,
        count(*) filter (where city_code is null) as unlocated_patents,
        count(*) as patents,
        count(*) filter (where city_code is null) / count(*) as unlocated_share,
        count(*) filter (where location_method = 'region_code') as located_by_region_code,
        count(*) filter (where location_method = 'address_city') as located_by_address_city,
        count(*) filter (where location_method = 'address_county') as located_by_address_county
    from patents
    group by application_year

)

select * from counted
