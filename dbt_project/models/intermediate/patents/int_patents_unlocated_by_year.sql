-- Patents whose applicant address names no ref_cities city (with its province), per
-- application year: what int_city_patent_counts leaves out, kept visible for quality checks.

with

patents as (

    select * from {{ ref('int_patents_classified') }}

),

counted as (

    select
        application_year,
        count(*) filter (where city_code is null) as unlocated_patents,
        count(*) as patents,
        count(*) filter (where city_code is null) / count(*) as unlocated_share
    from patents
    group by application_year

)

select * from counted
