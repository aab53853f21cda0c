-- Patent counts by city and application year. Unlocated patents (city_code NULL) are left out
-- here and counted per year in int_patents_unlocated_by_year, so nothing disappears unseen.

with

patents as (

    select * from {{ ref('int_patents_classified') }}
    where city_code is not null

),

counted as (

    select
        city_code,
        application_year,
        count(*) as patents,
        count(*) filter (where is_invention) as invention_patents,
        count(*) filter (where is_digital) as digital_patents,
        count(*) filter (where is_digital and is_invention) as digital_invention_patents,
        count(*) filter (where is_integrated) as integrated_patents
    from patents
    group by city_code, application_year

)

select * from counted
