-- Entropy-weighted score of each dimension of each index system: one row per system x
-- region-year x dimension of the system's sample (docs block entropy_index).
--   score            = sum over the dimension's indicators of w_j * x'_ij
--   score_normalized = score / dimension weight  (the dimension's own index, in [0, 1])
-- The dimension scores of a region-year add up to its index (marts.index_entropy_scores).

with

standardized as (

    select * from {{ ref('int_index_entropy_standardized') }}

),

weights as (

    select * from {{ ref('index_entropy_weights') }}

),

scored as (

    select
        standardized.system,
        standardized.level,
        standardized.region_code,
        standardized.year,
        standardized.dimension,
        any_value(weights.dimension_weight) as dimension_weight,
        sum(weights.weight * standardized.x_std) as score,
        count(*) as n_indicators
    from standardized
    inner join weights
        on standardized.system = weights.system
        and standardized.indicator_code = weights.indicator_code
        and standardized.weight_year is not distinct from weights.weight_year
    group by all

)

select
    cast(system as varchar) as system,
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(year as integer) as year,
    cast(dimension as varchar) as dimension,
    cast(dimension_weight as double) as dimension_weight,
    cast(score as double) as score,
    cast(score / nullif(dimension_weight, 0) as double) as score_normalized,
    cast(n_indicators as bigint) as n_indicators
from scored
