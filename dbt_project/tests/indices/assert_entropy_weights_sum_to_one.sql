-- The weights of every index system (and year, with entropy_scope = year) add up to 1, and
-- the dimension weights are the sums of their indicators' weights. Returns the offending
-- systems.

with

weights as (

    select * from {{ ref('index_entropy_weights') }}

),

by_system as (

    select
        system,
        weight_year,
        sum(weight) as weight_total
    from weights
    group by system, weight_year

),

by_dimension as (

    select
        system,
        weight_year,
        dimension,
        sum(weight) as weight_total,
        min(dimension_weight) as dimension_weight_min,
        max(dimension_weight) as dimension_weight_max
    from weights
    group by system, weight_year, dimension

)

select
    system,
    weight_year,
    null as dimension,
    weight_total,
    'weights do not add up to 1' as problem
from by_system
where abs(weight_total - 1) > 1e-9

union all

select
    system,
    weight_year,
    dimension,
    weight_total,
    'dimension_weight is not the sum of the dimension''s weights' as problem
from by_dimension
where abs(dimension_weight_min - weight_total) > 1e-9
    or abs(dimension_weight_max - weight_total) > 1e-9
