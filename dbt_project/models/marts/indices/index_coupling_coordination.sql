-- Coupling coordination of two index subsystems (paper 001's two-chain integration; docs
-- block coupling_coordination): one row per coupling of the seed ref_index_coupling x
-- region-year in the samples of both subsystems.
--
--   U1, U2 = the entropy indices (marts.index_entropy_scores) of subsystem_1 and subsystem_2
--   C = 2 * sqrt(U1 * U2) / (U1 + U2)            coupling degree, in [0, 1]
--   T = alpha * U1 + beta * U2                   comprehensive coordination index
--                                                (vars coupling_alpha, coupling_beta)
--   D = sqrt(C * T)                              coupling coordination degree, in [0, 1]
-- C is undefined when U1 = U2 = 0 (NULL); D is then 0, since T = 0. D is graded by the
-- seed ref_index_coordination_levels ([d_lower, d_upper); the top grade includes 1).

{%- set weights = coupling_weights() %}

with

couplings as (

    select * from {{ ref('ref_index_coupling') }}

),

scores as (

    select * from {{ ref('index_entropy_scores') }}

),

levels as (

    select * from {{ ref('ref_index_coordination_levels') }}

),

paired as (

    select
        couplings.coupling,
        couplings.level,
        couplings.subsystem_1,
        couplings.subsystem_2,
        u1.region_code,
        u1.region_name,
        u1.year,
        u1.index_value as u1,
        u2.index_value as u2
    from couplings
    inner join scores as u1
        on couplings.subsystem_1 = u1.system
    inner join scores as u2
        on couplings.subsystem_2 = u2.system
        and u1.region_code = u2.region_code
        and u1.year = u2.year

),

coupled as (

    select
        *,
        -- C <= 1 by the AM-GM inequality; least() removes a rounding excess when U1 = U2
        case when u1 + u2 > 0 then least(2 * sqrt(u1 * u2) / (u1 + u2), 1.0) end
            as coupling_degree,
        {{ weights[0] }} * u1 + {{ weights[1] }} * u2 as coordination_index
    from paired

),

coordinated as (

    select
        *,
        sqrt(coalesce(coupling_degree, 0) * coordination_index) as coordination_degree
    from coupled

),

graded as (

    select
        coordinated.*,
        levels.grade,
        levels.level_zh,
        levels.level_en,
        levels.stage_zh,
        levels.stage_en
    from coordinated
    left join levels
        on coordinated.coordination_degree >= levels.d_lower
        and (
            coordinated.coordination_degree < levels.d_upper
            or (
                levels.d_upper = (select max(d_upper) from levels)
                and coordinated.coordination_degree <= levels.d_upper
            )
        )

)

select
    cast(coupling as varchar) as coupling,
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(region_name as varchar) as region_name,
    cast(year as integer) as year,
    cast(subsystem_1 as varchar) as subsystem_1,
    cast(subsystem_2 as varchar) as subsystem_2,
    cast(u1 as double) as u1,
    cast(u2 as double) as u2,
    cast(coupling_degree as double) as coupling_degree,
    cast({{ weights[0] }} as double) as alpha,
    cast({{ weights[1] }} as double) as beta,
    cast(coordination_index as double) as coordination_index,
    cast(coordination_degree as double) as coordination_degree,
    cast(grade as integer) as coordination_grade,
    cast(level_zh as varchar) as coordination_level_zh,
    cast(level_en as varchar) as coordination_level_en,
    cast(stage_zh as varchar) as coordination_stage_zh,
    cast(stage_en as varchar) as coordination_stage_en,
    cast(
        case
            when u1 < u2 then subsystem_1
            when u2 < u1 then subsystem_2
        end as varchar
    ) as lagging_subsystem
from graded
