-- The digital-real integration index, step 3: entropy weights of its eight indicators (docs
-- block dri_index_entropy), one row per indicator (x year with var entropy_scope = year).
-- The steps and the shift are those of marts.index_entropy_weights (docs block
-- entropy_weight_method), without fixed weights:
--
--   p_ij = (x'_ij + shift) / sum_i (x'_ij + shift)     (var entropy_shift, default 0.0001)
--   e_j  = -(1 / ln n) sum_i p_ij ln p_ij              (n city-years of the scope)
--   d_j  = 1 - e_j,   w_j = d_j / sum_j d_j
--   W_D  = sum of w_j over the indicators of dimension D
--
-- If no indicator varies in a scope (every d_j = 0) each gets 1 / m, so the weights still add
-- up to 1 (the index is 0 there anyway: every x' is 0).

{%- set shift = entropy_shift() %}

with

standardized as (

    select * from {{ ref('dri_index_standardized') }}

),

proportions as (

    select
        *,
        (x_std + {{ shift }}) / {{ exact_sum('x_std + ' ~ shift, over='scope') }} as p
    from standardized
    window scope as (partition by indicator_code, weight_year)

),

entropy as (

    select
        weight_year,
        indicator_code,
        any_value(dimension) as dimension,
        count(*) as n_obs,
        min(value) as x_min,
        max(value) as x_max,
        -- 0 ln 0 = 0 (only possible with shift 0); for n = 1, ln n = 0 and e is taken as 1
        case
            when count(*) > 1
                then 0.0 - {{ exact_sum('case when p > 0 then p * ln(p) else 0 end') }}
                    / ln(count(*))
            else 1.0
        end as entropy
    from proportions
    group by weight_year, indicator_code

),

redundancy as (

    select
        *,
        -- rounding can put e_j a hair above 1 for a (near-)constant indicator
        greatest(1 - entropy, 0) as redundancy
    from entropy

),

weighted as (

    select
        *,
        coalesce(
            redundancy / nullif({{ exact_sum('redundancy', over='scope') }}, 0),
            1.0 / count(*) over scope
        ) as weight
    from redundancy
    window scope as (partition by weight_year)

),

final as (

    select
        *,
        {{ exact_sum('weight', over='partition by weight_year, dimension') }}
            as dimension_weight,
        {{ exact_sum('weight', over='partition by weight_year') }} as weight_total
    from weighted

)

select
    cast(weight_year as integer) as weight_year,
    cast(indicator_code as {{ string_type() }}) as indicator_code,
    cast(dimension as {{ string_type() }}) as dimension,
    cast(n_obs as bigint) as n_obs,
    cast(x_min as double) as x_min,
    cast(x_max as double) as x_max,
    cast(entropy as double) as entropy,
    cast(redundancy as double) as redundancy,
    cast(weight as double) as weight,
    cast(dimension_weight as double) as dimension_weight,
    cast(weight_total as double) as weight_total
from final
