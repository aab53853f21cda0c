{#-
    Panel settings and the gap-filling rule shared by the city and province panels
    (models/intermediate/panels, models/marts/panels). Each setting is a dbt var with its
    default here, so a run can change it (`dbt build --vars '{panel_extrapolation: nearest}'`)
    without editing a model.
-#}

{#-
    What to do with a gap at the edge of a series (before its first or after its last observed
    year): `none` (default) leaves it NULL, as the papers do ("individual missing data are
    supplemented by interpolation"; paper 002, section 3.2); `nearest` carries the nearest
    observed value and flags it `extrapolated`.
-#}
{% macro panel_extrapolation() %}
    {%- set mode = var('panel_extrapolation', 'none') -%}
    {%- if mode not in ['none', 'nearest'] -%}
        {{ exceptions.raise_compiler_error(
            "var panel_extrapolation must be none or nearest, not '" ~ mode ~ "'") }}
    {%- endif -%}
    {{ return(mode) }}
{% endmacro %}


{#-
    Fill the gaps of each (unit, indicator) series on a grid of unit x indicator x year.

    grid:        relation or CTE with (unit_column, indicator_code, year): the rows wanted.
    observed:    relation or CTE with (unit_column, indicator_code, year, value), unique on the
                 first three, value not NULL: what was reported. Years outside the grid count
                 as neighbours (a 2010 gap between 2005 and 2012 is interior).

    A grid year with an observed value keeps it (`observed`). A gap between two observed years
    of the same unit and indicator becomes the straight line between the nearest observed year
    before and after it (`interpolated`):
        value = v_before + (v_after - v_before) * (year - year_before) / (year_after - year_before).
    A gap with observations on one side only is an edge gap: NULL (`missing`) unless
    panel_extrapolation() is `nearest` (`extrapolated`, the nearest observed value). A series
    with no observation at all stays NULL (`missing`).

    Returns one row per grid row: unit_column, indicator_code, year, value, value_observed,
    imputation, source_year_before, source_year_after (the observed years the value was made
    from; NULL for observed and missing values).
-#}
{% macro interpolate_gaps(grid, observed, unit_column) %}
    {%- set extrapolation = panel_extrapolation() %}
    with

    series as (

        -- the grid plus every observed year, so neighbours outside the grid are found too
        select
            coalesce(grid.{{ unit_column }}, observed.{{ unit_column }}) as {{ unit_column }},
            coalesce(grid.indicator_code, observed.indicator_code) as indicator_code,
            coalesce(grid.year, observed.year) as year,
            grid.year is not null as in_grid,
            cast(observed.value as double) as value_observed
        from {{ grid }} as grid
        full outer join {{ observed }} as observed
            on grid.{{ unit_column }} = observed.{{ unit_column }}
            and grid.indicator_code = observed.indicator_code
            and grid.year = observed.year

    ),

    neighbours as (

        select
            *,
            max(case when value_observed is not null then year end) over before_it
                as year_before,
            last_value(value_observed ignore nulls) over before_it as value_before,
            min(case when value_observed is not null then year end) over after_it
                as year_after,
            first_value(value_observed ignore nulls) over after_it as value_after
        from series
        window
            before_it as (
                partition by {{ unit_column }}, indicator_code order by year
                rows between unbounded preceding and current row
            ),
            after_it as (
                partition by {{ unit_column }}, indicator_code order by year
                rows between current row and unbounded following
            )

    ),

    filled as (

        select
            {{ unit_column }},
            indicator_code,
            year,
            case
                when value_observed is not null then value_observed
                when year_before is not null and year_after is not null
                    then value_before + (value_after - value_before)
                        * cast(year - year_before as double)
                        / cast(year_after - year_before as double)
                {%- if extrapolation == 'nearest' %}
                when year_before is not null then value_before
                when year_after is not null then value_after
                {%- endif %}
            end as value,
            value_observed,
            case
                when value_observed is not null then 'observed'
                when year_before is not null and year_after is not null then 'interpolated'
                {%- if extrapolation == 'nearest' %}
                when year_before is not null or year_after is not null then 'extrapolated'
                {%- endif %}
                else 'missing'
            end as imputation,
            case
                when value_observed is null
                    {%- if extrapolation == 'none' %} and year_after is not null{% endif %}
                    then year_before
            end as source_year_before,
            case
                when value_observed is null
                    {%- if extrapolation == 'none' %} and year_before is not null{% endif %}
                    then year_after
            end as source_year_after
        from neighbours
        where in_grid

    )

    select * from filled
{% endmacro %}


{#-
    The indicators of marts.province_panel, one column each (and one `<code>_imputed` flag),
    in this order. Codes of ref_indicators; tests/panels/assert_province_panel_indicators_in_catalogue
    fails if one is not in the catalogue.
    The list from 'gdp' on holds indicators that no bundled real table carries; in the demo
    they are SYNTHETIC (orchestration/ingest/demo_province.py), so no column mixes real and
    synthetic values.
-#}
{% macro province_panel_indicators() %}
    {{ return([
        'patents_granted', 'patents_granted_invention', 'patents_granted_utility',
        'patents_granted_design',
        'patent_applications', 'patent_applications_invention', 'patent_applications_utility',
        'patent_applications_design',
        'patents_valid', 'patents_valid_invention', 'patents_valid_utility',
        'patents_valid_design',
        'rd_expenditure', 'rd_expenditure_basic', 'rd_expenditure_applied',
        'rd_expenditure_experimental', 'rd_expenditure_government', 'rd_expenditure_enterprise',
        'rd_expenditure_foreign', 'rd_expenditure_other',
        'rd_intensity',
        'rd_personnel_fte', 'rd_personnel_fte_researchers', 'rd_personnel_fte_basic',
        'rd_personnel_fte_applied', 'rd_personnel_fte_experimental',
        'tech_market_inflow_value', 'tech_market_inflow_contracts', 'tech_market_outflow_value',
        'tech_market_outflow_contracts',
        'fiscal_expenditure', 'fiscal_expenditure_st', 'fiscal_expenditure_education',
        'fiscal_expenditure_agriculture',
        'population_resident',
        'gdp', 'fdi_used', 'enterprise_websites_per_100', 'industrial_rd_expenditure',
        'industrial_valid_invention_patents',
        'broadband_penetration', 'mobile_phone_penetration', 'telecom_business_per_capita',
        'ecommerce_enterprise_share', 'computers_per_100_employees', 'digital_finance_index',
        'urbanization_rate', 'hightech_new_product_revenue',
        'employment_total', 'employment_manufacturing', 'employment_transport',
        'employment_ict', 'employment_finance', 'employment_business', 'employment_research',
    ]) }}
{% endmacro %}


{#- The yearbook indicators of marts.city_panel (canonical units), interpolated and flagged. -#}
{% macro city_panel_indicators() %}
    {{ return(['gdp', 'population', 'fiscal_expenditure', 'sei_revenue', 'sei_employment']) }}
{% endmacro %}


{#-
    First year of the province panel; its last year is the latest year with a reported
    provincial value (2023 for the bundled tables).
-#}
{% macro province_panel_start_year() %}
    {{ return(var('province_panel_start_year', 2010)) }}
{% endmacro %}


{#-
    The balanced-panel rule of paper 002 (section 3.2): "eliminates observations with missing key
    variables and major administrative division adjustments (such as city-to-district
    conversion, merger and split)". Key variables: the columns of marts.city_panel that must be
    non-NULL in every year of the window (after interpolation) - by default those of the paper's
    benchmark model (ln_sei_revenue on integrated_share, the mediator ln_digital_invention and the
    controls ln_pgdp, gov, ln_population). Administrative changes: the ref_admin_changes types
    that move territory; 地区 -> 市 conversions and renamings keep it, and their series are
    joined under the current code (int_city_indicators_converted).
-#}
{% macro balanced_panel_key_variables() %}
    {{ return(var('balanced_panel_key_variables', [
        'ln_sei_revenue', 'integrated_share', 'ln_digital_invention', 'ln_pgdp', 'gov', 'ln_population',
    ])) }}
{% endmacro %}

{% macro balanced_panel_admin_change_types() %}
    {{ return(var('balanced_panel_admin_change_types', ['created', 'abolished', 'merged'])) }}
{% endmacro %}


{#-
    The window of the balanced panel as [first_year, last_year]; by default (var unset) the
    first and last year of marts.city_panel, computed in SQL by the caller.
-#}
{% macro balanced_panel_years() %}
    {{ return(var('balanced_panel_years', none)) }}
{% endmacro %}


{#-
    SQL selecting one row (first_year, last_year): the balanced-panel window, from the var
    balanced_panel_years if set, else the first and last year of `panel` (a relation with a
    `year` column).
-#}
{% macro balanced_panel_window(panel) %}
    {%- set years = balanced_panel_years() -%}
    {%- if years is not none -%}
        {%- if years | length != 2 or years[0] > years[1] -%}
            {{ exceptions.raise_compiler_error(
                "var balanced_panel_years must be [first_year, last_year], not " ~ years) }}
        {%- endif -%}
        select {{ years[0] }} as first_year, {{ years[1] }} as last_year
    {%- else -%}
        select min(year) as first_year, max(year) as last_year from {{ panel }}
    {%- endif -%}
{% endmacro %}
