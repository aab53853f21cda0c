-- Both subsystems of a coupling (ref_index_coupling) are index systems of the coupling's
-- level, and they are two different systems. Returns the offending couplings.
-- Shown in Dagster as an asset check of ref_index_coupling: the test reads several models, so
-- its config names the one it guards (dagster-dbt's meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'ref_index_coupling'}}}) }}

with

system_levels as (

    select distinct system, level
    from {{ ref('ref_index_systems') }}

)

select
    couplings.coupling,
    couplings.level,
    s1.level as level_1,
    s2.level as level_2
from {{ ref('ref_index_coupling') }} as couplings
left join system_levels as s1
    on couplings.subsystem_1 = s1.system
left join system_levels as s2
    on couplings.subsystem_2 = s2.system
where s1.level is distinct from couplings.level
    or s2.level is distinct from couplings.level
    or couplings.subsystem_1 = couplings.subsystem_2
