-- marts.city_panel_balanced is balanced: every city has exactly one row for every year from
-- the panel's first to its last year. Fails with each city whose years differ, and how.

with

panel as (

    select * from {{ ref('city_panel_balanced') }}

),

window_bounds as (

    select min(year) as first_year, max(year) as last_year from panel

),

per_city as (

    select
        city_code,
        count(*) as n_rows,
        count(distinct year) as n_years,
        min(year) as first_year,
        max(year) as last_year
    from panel
    group by city_code

)

select per_city.*
from per_city
cross join window_bounds
where per_city.n_rows <> window_bounds.last_year - window_bounds.first_year + 1
    or per_city.n_years <> per_city.n_rows
    or per_city.first_year <> window_bounds.first_year
    or per_city.last_year <> window_bounds.last_year
