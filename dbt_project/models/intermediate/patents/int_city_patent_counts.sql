-- Patent counts by city and application year. Unlocated patents (city_code NULL) are left out
-- here and counted per year in int_patents_unlocated_by_year, so nothing disappears unseen.
-- digital_patents_<major> counts the digital patents in each major class (大类, 01-04; bit
-- major - 1 of digital_major_mask); a patent in several major classes counts in each, so
-- these do not add up to digital_patents.

{%- set major_codes = ['01', '02', '03', '04'] %}

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
        count(*) filter (where is_integrated) as integrated_patents,
        {%- for major in major_codes %}
        count(*) filter (
            where (digital_major_mask >> {{ major | int - 1 }}) & 1 = 1
        ) as digital_patents_{{ major }}{{ ',' if not loop.last }}
        {%- endfor %}
    from patents
    group by city_code, application_year

)

select * from counted
