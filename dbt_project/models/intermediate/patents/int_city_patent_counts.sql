-- Patent counts by city and application year. Unlocated patents (city_code NULL) are left out
-- here and counted per year in int_patents_unlocated_by_year, so nothing disappears unseen.
-- digital_patents_<major> counts the digital patents in each major class (大类, 01-04; bit
-- major - 1 of digital_major_mask); a patent in several major classes counts in each, so
-- these do not add up to digital_patents.

-- Incremental by application year, as int_patents_classified: when patent extracts were only
-- appended (the var patents_new_from_key), only the years of the new records are counted again
-- (delete + insert by year); a city-year depends on the patents of its year alone.
-- depends_on: {{ ref('stg_patents__patents') }}

{{ config(
    materialized=('incremental' if var('patents_new_from_key', none) is not none else 'table'),
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    unique_key='application_year',
    on_schema_change='fail'
) }}

{%- set major_codes = ['01', '02', '03', '04'] %}
{%- set only_new_years = is_incremental() and var('patents_new_from_key', none) is not none %}

with

patents as (

    select * from {{ ref('int_patents_classified') }}
    where city_code is not null
    {%- if only_new_years %}
        and application_year in ({{ patents_new_years() | join(', ') or 'null' }})
    {%- endif %}

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
