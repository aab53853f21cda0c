-- The digital-real integration index, step 2: the eight indicators of dri_index_components,
-- long, each min-max standardized (docs block dri_index_entropy). All are positive indicators:
--     x' = (x - min) / (max - min),   x' = 0 for every city-year when max = min
-- with min and max over every city-year (var entropy_scope = panel, default; weight_year
-- NULL) or within each year (entropy_scope = year; weight_year = year), as the project's
-- other entropy indices (int_index_entropy_standardized).
--
-- The indicator -> dimension map below is the one place that defines the index system.

{%- set indicators = [
    ('integrated_share', 'time'),
    ('integration_growth', 'time'),
    ('real_field_breadth', 'industry'),
    ('real_field_diversity', 'industry'),
    ('location_quotient', 'region'),
    ('national_share', 'region'),
    ('digital_real_links', 'network'),
    ('link_density', 'network'),
] %}

with

components as (

    select * from {{ ref('dri_index_components') }}

),

long as (

    {{ unpivot_columns(
        'components', indicators | map(attribute=0) | list, 'indicator_code', 'value'
    ) }}

),

dimensions as (

    select * from (
        values
        {%- for code, dimension in indicators %}
        ('{{ code }}', '{{ dimension }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as dimensions (indicator_code, dimension)

),

scoped as (

    select
        long.city_code,
        long.year,
        {{ entropy_weight_year('long.year') }} as weight_year,
        long.indicator_code,
        dimensions.dimension,
        long.value
    from long
    inner join dimensions
        on long.indicator_code = dimensions.indicator_code

),

bounds as (

    select
        *,
        min(value) over scope as x_min,
        max(value) over scope as x_max,
        count(*) over scope as n_obs
    from scoped
    window scope as (partition by indicator_code, weight_year)

),

standardized as (

    select
        *,
        case
            when x_max = x_min then 0.0
            else (value - x_min) / (x_max - x_min)
        end as x_std
    from bounds

)

select
    cast(city_code as {{ string_type() }}) as city_code,
    cast(year as integer) as year,
    cast(weight_year as integer) as weight_year,
    cast(indicator_code as {{ string_type() }}) as indicator_code,
    cast(dimension as {{ string_type() }}) as dimension,
    cast(value as double) as value,
    cast(x_min as double) as x_min,
    cast(x_max as double) as x_max,
    cast(n_obs as bigint) as n_obs,
    cast(x_std as double) as x_std
from standardized
