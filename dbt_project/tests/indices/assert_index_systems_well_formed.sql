-- Every index system of ref_index_systems is computable: one level; fixed weights adding up
-- to at most 1, and to exactly 1 when every indicator has one; at least 2 complete
-- region-years (the entropy's k = 1 / ln n needs n >= 2); and every indicator has a value
-- somewhere at the system's level (a misspelt code or a derived indicator missing from
-- ref_index_indicators fails here). Returns one row per problem.
-- Shown in Dagster as an asset check of int_index_system_values: the test reads several
-- models, so its config names the one it guards (dagster-dbt's meta.dagster.ref). Not the
-- seed ref_index_systems: whether a system is computable depends on the values, and a
-- refresh of the yearbook data runs this test without the seed in its selection.
{{ config(meta={'dagster': {'ref': {'name': 'int_index_system_values'}}}) }}

with

systems as (

    select * from {{ ref('ref_index_systems') }}

),

indicator_values as (

    select level, indicator_code, count(value) as n_values
    from {{ ref('int_index_indicator_values') }}
    group by level, indicator_code

),

samples as (

    select system, count(distinct region_code || '-' || year) as n_complete
    from {{ ref('int_index_system_values') }}
    where in_sample
    group by system

),

per_system as (

    select
        system,
        count(distinct level) as n_levels,
        count(*) as n_indicators,
        count(fixed_weight) as n_fixed,
        coalesce(sum(fixed_weight), 0) as fixed_total
    from systems
    group by system

)

select system, null as indicator_code, 'more than one level' as problem
from per_system
where n_levels > 1

union all

select system, null, 'fixed weights add up to more than 1'
from per_system
where fixed_total > 1 + 1e-9

union all

select system, null, 'every indicator has a fixed weight but they do not add up to 1'
from per_system
where n_fixed = n_indicators and abs(fixed_total - 1) > 1e-9

union all

select per_system.system, null, 'fewer than 2 complete region-years'
from per_system
left join samples
    on per_system.system = samples.system
where coalesce(samples.n_complete, 0) < 2

union all

select systems.system, systems.indicator_code, 'indicator has no value at this level'
from systems
left join indicator_values
    on systems.level = indicator_values.level
    and systems.indicator_code = indicator_values.indicator_code
where coalesce(indicator_values.n_values, 0) = 0
