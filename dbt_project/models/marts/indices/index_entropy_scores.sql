-- The entropy-weighted index of each system: one row per system x region-year of the
-- system's sample (its complete cases; int_index_system_values says which are left out).
--   index_value = sum_j w_j * x'_ij   (x' the min-max standardized value, w the weights of
--                                      marts.index_entropy_weights; in [0, 1])
-- See docs block entropy_index.

with

standardized as (

    select * from {{ ref('int_index_entropy_standardized') }}

),

weights as (

    select * from {{ ref('index_entropy_weights') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

scored as (

    select
        standardized.system,
        standardized.level,
        standardized.region_code,
        standardized.year,
        any_value(standardized.weight_year) as weight_year,
        sum(weights.weight * standardized.x_std) as index_value,
        count(*) as n_indicators,
        count(*) filter (where standardized.is_imputed) as n_imputed
    from standardized
    inner join weights
        on standardized.system = weights.system
        and standardized.indicator_code = weights.indicator_code
        and standardized.weight_year is not distinct from weights.weight_year
    group by standardized.system, standardized.level, standardized.region_code,
        standardized.year

),

final as (

    select
        scored.system,
        scored.level,
        scored.region_code,
        regions.region_name,
        regions.province_name,
        scored.year,
        scored.weight_year,
        scored.index_value,
        rank() over (
            partition by scored.system, scored.year order by scored.index_value desc
        ) as rank_in_year,
        scored.n_indicators,
        scored.n_imputed
    from scored
    left join regions
        on scored.region_code = regions.region_code

)

select
    cast(system as varchar) as system,
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(region_name as varchar) as region_name,
    cast(province_name as varchar) as province_name,
    cast(year as integer) as year,
    cast(weight_year as integer) as weight_year,
    cast(index_value as double) as index_value,
    cast(rank_in_year as bigint) as rank_in_year,
    cast(n_indicators as bigint) as n_indicators,
    cast(n_imputed as bigint) as n_imputed
from final
