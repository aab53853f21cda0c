-- The exclusion report of the balanced city panel: one row per city x reason for every city of
-- marts.city_panel that the sample rule of paper 002 drops (section 3.2: "eliminates
-- observations with missing key variables and major administrative division adjustments
-- (such as city-to-district conversion, merger and split)"). A city is dropped when
--   * admin_change: a change of a type in var balanced_panel_admin_change_types (default
--     created, abolished, merged - those that move territory) touches it in the window, i.e.
--     first_year < change year <= last_year (a change in the first year is already in force
--     for every panel year); the city on either side of the change counts (巢湖市 and the
--     three cities that received its counties);
--   * incomplete_years: it has no row for some year of the window (it did not exist then);
--   * missing_key_variable: a key variable (var balanced_panel_key_variables) is NULL in some
--     year of the window even after interpolation.
-- The window is var balanced_panel_years, or the first and last year of city_panel.

{%- set key_variables = balanced_panel_key_variables() %}
{%- set change_types = balanced_panel_admin_change_types() %}

with

panel as (

    select * from {{ ref('city_panel') }}

),

admin_changes as (

    select * from {{ ref('ref_admin_changes') }}

),

panel_codes as (

    -- the panel key of a code: a converted 地区 is in the panel under its city's code
    select
        region_code,
        coalesce(current_code, region_code) as city_code
    from {{ ref('dim_regions') }}
    where is_prefecture_level

),

window_bounds as (

    {{ balanced_panel_window('panel') }}

),

window_years as (

    select unnest(range(first_year, last_year + 1)) as year
    from window_bounds

),

cities as (

    select
        city_code,
        any_value(city_name) as city_name,
        any_value(province_name) as province_name
    from panel
    group by city_code

),

-- admin_change ---------------------------------------------------------------------------

changes_in_window as (

    select
        admin_changes.*,
        cast(admin_changes.year as varchar) || ' ' || admin_changes.change_type || ': '
            || coalesce(admin_changes.old_name || ' (' || admin_changes.old_code || ')', '-')
            || ' -> ' || admin_changes.new_name || ' (' || admin_changes.new_code || ')'
            as description
    from admin_changes
    cross join window_bounds
    where admin_changes.change_type in (
            {%- for change_type in change_types %}
            '{{ change_type }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        and admin_changes.year > window_bounds.first_year
        and admin_changes.year <= window_bounds.last_year

),

change_sides as (

    select panel_codes.city_code, changes_in_window.year, changes_in_window.description
    from changes_in_window
    inner join panel_codes
        on changes_in_window.old_code = panel_codes.region_code
    union
    select panel_codes.city_code, changes_in_window.year, changes_in_window.description
    from changes_in_window
    inner join panel_codes
        on changes_in_window.new_code = panel_codes.region_code

),

admin_change as (

    select
        city_code,
        'admin_change' as reason,
        string_agg(description, '; ' order by year, description) as detail
    from change_sides
    group by city_code

),

-- incomplete_years -----------------------------------------------------------------------

absent_years as (

    select
        cities.city_code,
        window_years.year
    from cities
    cross join window_years
    left join panel
        on cities.city_code = panel.city_code
        and window_years.year = panel.year
    where panel.city_code is null

),

incomplete_years as (

    select
        city_code,
        'incomplete_years' as reason,
        'no row for ' || string_agg(cast(year as varchar), ', ' order by year) as detail
    from absent_years
    group by city_code

),

-- missing_key_variable -------------------------------------------------------------------

missing_values as (

    {%- for variable in key_variables %}
    select panel.city_code, panel.year, '{{ variable }}' as variable
    from panel
    cross join window_bounds
    where panel.year between window_bounds.first_year and window_bounds.last_year
        and panel.{{ variable }} is null
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

missing_by_variable as (

    select
        city_code,
        variable,
        variable || ' NULL in ' || string_agg(cast(year as varchar), ', ' order by year)
            as description
    from missing_values
    group by city_code, variable

),

missing_key_variable as (

    select
        city_code,
        'missing_key_variable' as reason,
        string_agg(description, '; ' order by variable) as detail
    from missing_by_variable
    group by city_code

),

reasons as (

    select * from admin_change
    union all
    select * from incomplete_years
    union all
    select * from missing_key_variable

),

final as (

    select
        cast('city_panel_balanced' as varchar) as panel,
        cast(reasons.city_code as varchar) as unit_code,
        cast(cities.city_name as varchar) as unit_name,
        cast(cities.province_name as varchar) as province_name,
        cast(reasons.reason as varchar) as reason,
        cast(reasons.detail as varchar) as detail,
        cast(window_bounds.first_year as integer) as window_first_year,
        cast(window_bounds.last_year as integer) as window_last_year
    from reasons
    inner join cities
        on reasons.city_code = cities.city_code
    cross join window_bounds

)

select * from final
