-- Code x sub-class bridge: one row per distinct IPC code of the extracts
-- (stg_patents__ipc_codes) x digital-economy core sub-class (小类) whose entries cover it.
-- Codes no entry covers are not here (they are the real-economy codes). Matching runs on the
-- distinct codes (~10^5 even for a national extract), never on the patent x code rows, and
-- uses one equi-join per kind of entry instead of an OR-join (coverage rules:
-- int_ipc_digital_core_entries_parsed):
--   subclass entries   on subclass
--   main-group entries on subclass and main_group (integers: G06F1* never covers G06F 15/16)
--   exact entries      on subclass, main_group and subgroup
-- A code covered by several entries of the same sub-class (G06F1* and G06F3/041 ...) is one
-- row; matched_entries lists them.

with

codes as (

    select ipc_code_id, ipc_code, subclass, main_group, subgroup
    from {{ ref('stg_patents__ipc_codes') }}

),

entries as (

    select * from {{ ref('int_ipc_digital_core_entries_parsed') }}
    where is_used and match_on is not null

),

industries as (

    select minor_code, industry_bit
    from {{ ref('int_digital_core_industries') }}
    where industry_level = 'minor'

),

matched_subclass as (

    select codes.ipc_code_id, entries.minor_code, entries.ipc_raw
    from codes
    inner join entries
        on codes.subclass = entries.subclass
    where entries.match_on = 'subclass'

),

matched_main_group as (

    select codes.ipc_code_id, entries.minor_code, entries.ipc_raw
    from codes
    inner join entries
        on codes.subclass = entries.subclass
        and codes.main_group = entries.main_group
    where entries.match_on = 'main_group'

),

matched_code as (

    select codes.ipc_code_id, entries.minor_code, entries.ipc_raw
    from codes
    inner join entries
        on codes.subclass = entries.subclass
        and codes.main_group = entries.main_group
        and codes.subgroup = entries.subgroup
    where entries.match_on = 'code'

),

matched as (

    select * from matched_subclass
    union all
    select * from matched_main_group
    union all
    select * from matched_code

),

final as (

    select
        matched.ipc_code_id,
        any_value(codes.ipc_code) as ipc_code,
        any_value(codes.subclass) as subclass,
        any_value(codes.main_group) as main_group,
        any_value(codes.subgroup) as subgroup,
        matched.minor_code,
        any_value(left(matched.minor_code, 4)) as mid_code,
        any_value(left(matched.minor_code, 2)) as major_code,
        any_value(industries.industry_bit) as minor_bit,
        {{ list_distinct_sorted('matched.ipc_raw') }} as matched_entries
    from matched
    inner join codes
        on matched.ipc_code_id = codes.ipc_code_id
    inner join industries
        on matched.minor_code = industries.minor_code
    group by matched.ipc_code_id, matched.minor_code

)

select * from final
