-- Step 1 of the entropy weight method (docs block entropy_weight_method): each indicator of
-- each system min-max standardized by its direction, over the system's sample (the complete
-- region-years of int_index_system_values):
--     positive (+):  x' = (x - min) / (max - min)
--     negative (-):  x' = (max - x) / (max - min)
-- with min and max over the whole panel (var entropy_scope = panel, default; weight_year
-- NULL) or within each year (entropy_scope = year; weight_year = year). An indicator that is
-- constant in its scope (max = min) carries no information: x' = 0 for every observation, so
-- its entropy is 1 and its entropy weight 0.

with

in_sample as (

    select
        *,
        {{ entropy_weight_year('year') }} as weight_year
    from {{ ref('int_index_system_values') }}
    where in_sample

),

bounds as (

    select
        *,
        min(value) over scope as x_min,
        max(value) over scope as x_max,
        count(*) over scope as n_obs
    from in_sample
    window scope as (partition by system, indicator_code, weight_year)

),

standardized as (

    select
        system,
        level,
        weight_year,
        region_code,
        year,
        indicator_code,
        dimension,
        direction,
        fixed_weight,
        value,
        is_imputed,
        x_min,
        x_max,
        n_obs,
        case
            when x_max = x_min then 0.0
            when direction = '-' then (x_max - value) / (x_max - x_min)
            else (value - x_min) / (x_max - x_min)
        end as x_std
    from bounds

)

select
    cast(system as varchar) as system,
    cast(level as varchar) as level,
    cast(weight_year as integer) as weight_year,
    cast(region_code as varchar) as region_code,
    cast(year as integer) as year,
    cast(indicator_code as varchar) as indicator_code,
    cast(dimension as varchar) as dimension,
    cast(direction as varchar) as direction,
    cast(fixed_weight as double) as fixed_weight,
    cast(value as double) as value,
    cast(is_imputed as boolean) as is_imputed,
    cast(x_min as double) as x_min,
    cast(x_max as double) as x_max,
    cast(n_obs as bigint) as n_obs,
    cast(x_std as double) as x_std
from standardized
