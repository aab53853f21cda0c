-- The dimension scores of a region-year add up to its entropy index. Returns the region-years
-- where they do not.
-- Shown in Dagster as an asset check of index_entropy_dimension_scores: the test reads
-- several models, so its config names the one it guards (dagster-dbt's meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'index_entropy_dimension_scores'}}}) }}

with

dimensions as (

    select
        system,
        region_code,
        year,
        sum(score) as score_total
    from {{ ref('index_entropy_dimension_scores') }}
    group by system, region_code, year

),

scores as (

    select * from {{ ref('index_entropy_scores') }}

)

select
    scores.system,
    scores.region_code,
    scores.year,
    scores.index_value,
    dimensions.score_total
from scores
left join dimensions
    on scores.system = dimensions.system
    and scores.region_code = dimensions.region_code
    and scores.year = dimensions.year
where dimensions.score_total is null
    or abs(scores.index_value - dimensions.score_total) > 1e-9
