-- The balanced city panel of paper 002 (section 3.2): marts.city_panel restricted to the
-- window (var balanced_panel_years, default the panel's first to last year) and to the cities
-- with no row in marts.panel_exclusions - every remaining city has every year of the window
-- and no key variable missing. On the demo data: 198 cities x 15 years = 2,970 rows.

with

panel as (

    select * from {{ ref('city_panel') }}

),

exclusions as (

    select * from {{ ref('panel_exclusions') }}
    where panel = 'city_panel_balanced'

),

window_bounds as (

    {{ balanced_panel_window('panel') }}

),

balanced as (

    select panel.*
    from panel
    cross join window_bounds
    where panel.year between window_bounds.first_year and window_bounds.last_year
        and panel.city_code not in (select unit_code from exclusions)

)

select * from balanced
