-- The input matrix of every index system (seed ref_index_systems), long: one row per system x
-- region-year x indicator, for every region-year that has any value at the system's level.
--
-- The sample of a system is its complete cases: a region-year is `in_sample` when every
-- indicator of the system has a value there. The entropy and PCA models use only those rows;
-- the rest stay here so an analyst can see which region-years an index leaves out and why
-- (e.g. rd_intensity is reported from 2011, so the province systems using it start in 2011).

with

systems as (

    select * from {{ ref('ref_index_systems') }}

),

indicator_values as (

    select * from {{ ref('int_index_indicator_values') }}

),

region_years as (

    select distinct level, region_code, year
    from indicator_values

),

grid as (

    select
        systems.system,
        systems.level,
        region_years.region_code,
        region_years.year,
        systems.indicator_code,
        systems.dimension,
        systems.direction,
        systems.fixed_weight
    from systems
    inner join region_years
        on systems.level = region_years.level

),

valued as (

    select
        grid.*,
        indicator_values.value,
        coalesce(indicator_values.is_imputed, false) as is_imputed
    from grid
    left join indicator_values
        on grid.level = indicator_values.level
        and grid.region_code = indicator_values.region_code
        and grid.year = indicator_values.year
        and grid.indicator_code = indicator_values.indicator_code

),

flagged as (

    select
        *,
        count(value) over region_year = count(*) over region_year as in_sample
    from valued
    window region_year as (partition by system, region_code, year)

)

select
    cast(system as varchar) as system,
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(year as integer) as year,
    cast(indicator_code as varchar) as indicator_code,
    cast(dimension as varchar) as dimension,
    cast(direction as varchar) as direction,
    cast(fixed_weight as double) as fixed_weight,
    cast(value as double) as value,
    cast(is_imputed as boolean) as is_imputed,
    cast(in_sample as boolean) as in_sample
from flagged
