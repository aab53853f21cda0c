-- Entropy weights of every index system (docs block entropy_weight_method): one row per
-- system x indicator (x year when var entropy_scope = year).
--
--   x''_ij = x'_ij + shift                       (var entropy_shift, default 0.0001)
--   p_ij   = x''_ij / sum_i x''_ij               (i = the region-years of the scope, n of them)
--   e_j    = -k * sum_i p_ij ln p_ij,  k = 1 / ln n
--   d_j    = 1 - e_j                            (redundancy, "information utility")
--   w_j    = d_j / sum_j d_j                    (entropy weight)
-- An indicator with a fixed_weight in ref_index_systems keeps it; the other indicators share
-- the rest, 1 - sum(fixed weights), in proportion to d_j. Dimension weight = sum of the
-- weights of the dimension's indicators.

{%- set shift = entropy_shift() %}

with

standardized as (

    select * from {{ ref('int_index_entropy_standardized') }}

),

proportions as (

    select
        *,
        (x_std + {{ shift }}) / sum(x_std + {{ shift }}) over scope as p
    from standardized
    window scope as (partition by system, indicator_code, weight_year)

),

entropy as (

    select
        system,
        level,
        weight_year,
        indicator_code,
        any_value(dimension) as dimension,
        any_value(direction) as direction,
        any_value(fixed_weight) as fixed_weight,
        count(*) as n_obs,
        min(value) as x_min,
        max(value) as x_max,
        -- 0 ln 0 = 0 (only possible with shift 0); 0 - x, not -x, so that e = 0 is +0.0
        0.0 - sum(case when p > 0 then p * ln(p) else 0 end) / ln(count(*)) as entropy
    from proportions
    group by system, level, weight_year, indicator_code

),

redundancy as (

    select
        *,
        -- rounding can put e_j a hair above 1 for a (near-)constant indicator
        greatest(1 - entropy, 0) as redundancy
    from entropy

),

shares as (

    select
        *,
        redundancy / nullif(sum(redundancy) over system_scope, 0) as entropy_weight,
        coalesce(sum(fixed_weight) over system_scope, 0) as fixed_total,
        sum(case when fixed_weight is null then redundancy end) over system_scope
            as free_redundancy
    from redundancy
    window system_scope as (partition by system, weight_year)

),

weighted as (

    select
        *,
        case
            when fixed_weight is not null then fixed_weight
            else (1 - fixed_total) * (redundancy / nullif(free_redundancy, 0))
        end as weight,
        case when fixed_weight is not null then 'fixed' else 'entropy' end as weight_method
    from shares

),

final as (

    select
        system,
        level,
        weight_year,
        indicator_code,
        dimension,
        direction,
        n_obs,
        x_min,
        x_max,
        entropy,
        redundancy,
        entropy_weight,
        fixed_weight,
        weight_method,
        weight,
        sum(weight) over (partition by system, weight_year, dimension) as dimension_weight
    from weighted

)

select
    cast(system as varchar) as system,
    cast(level as varchar) as level,
    cast(weight_year as integer) as weight_year,
    cast(indicator_code as varchar) as indicator_code,
    cast(dimension as varchar) as dimension,
    cast(direction as varchar) as direction,
    cast(n_obs as bigint) as n_obs,
    cast(x_min as double) as x_min,
    cast(x_max as double) as x_max,
    cast(entropy as double) as entropy,
    cast(redundancy as double) as redundancy,
    cast(entropy_weight as double) as entropy_weight,
    cast(fixed_weight as double) as fixed_weight,
    cast(weight_method as varchar) as weight_method,
    cast(weight as double) as weight,
    cast(dimension_weight as double) as dimension_weight
from final
