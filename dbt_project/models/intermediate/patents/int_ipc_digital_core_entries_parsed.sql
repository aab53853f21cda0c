-- The CNIPA 2023 digital-economy core industry table (seed ref_ipc_digital_core), one row per
-- printed entry, with what the entry covers, in the structured parts the patents' codes carry
-- (stg_patents__ipc_codes: subclass, main_group integer, subgroup text).
--
-- match_on, i.e. how an entry covers codes. The source's rule: '*' = "this level and every
-- level below it"; an entry without '*' covers exactly that code.
--   'subclass'    H05K*          every code of subclass H05K.
--                 H01Q (010302)  the one subclass entry printed without '*'. Read as H01Q*:
--                                a bare subclass is not a code a patent can carry (assigned
--                                codes are always main group/subgroup), so "exactly that code"
--                                would match nothing and leave 010302 without its antenna
--                                codes, which every other broadcasting/communication sub-class
--                                lists as H01Q*.
--   'main_group'  G06F1*         every code of subclass G06F with main group = 1 (an integer
--                                comparison: G06F 1/16 yes, G06F 15/16 and G06F 10/00 no).
--                                A bare main group without '*' or '/' would be read the same
--                                way as H01Q; the source has none.
--   'code'        G05B19/418     exactly G05B 19/418 (subclass, main group and subgroup equal),
--                                not G05B 19/4183 below it nor G05B 19/41 above it.
--                 G11B3/00       exactly the main-group heading code G11B 3/00, not the whole
--                                main group: the same sub-class (010307) lists G11B3/02,
--                                G11B3/08, ... beside it, which would be redundant otherwise,
--                                and where the table means the whole group it prints G11B3*
--                                (010103). 13 such '/00' entries, all without '*'.
--   NULL          a subgroup entry with '*' would cover the subgroups indented below it, which
--                 needs the IPC dot hierarchy, not the code text. The source has none; a test
--                 (match_on not null) fails if a future seed brings one.
-- The source's malformed entry 'GC23C16*' (010501, flag malformed_in_source) is kept here for
-- the record with is_used = false and matches nothing: it is not an IPC code (no subclass
-- 'GC23'), and the entry it was meant to be, C23C16*, is printed correctly in the same
-- sub-class, so dropping it loses no coverage (tests/unit/test_ipc_digital_core_seed.py).
-- Subgroups are put in the canonical form of the patents' codes (at least 2 digits, trailing
-- zeros beyond 2 stripped) so the equi-join compares like with like.

with

entries as (

    select * from {{ ref('ref_ipc_digital_core') }}

),

parsed as (

    select
        *,
        coalesce(flag, '') <> 'malformed_in_source' as is_used,
        {{ regexp_groups(
            'ipc_prefix',
            "'^([A-H][0-9]{2}[A-Z])([0-9]{1,4})?(?:/([0-9]{1,6}))?$'",
            ['subclass', 'main_group', 'subgroup']
        ) }} as parts,
        {{ regexp_full_match('ipc_prefix', "'[A-H][0-9]{2}[A-Z]([0-9]{1,4}(/[0-9]{1,6})?)?'") }}
            as is_parsed
    from entries

),

structured as (

    select
        *,
        case when is_used and is_parsed then parts.subclass end as entry_subclass,
        case
            when is_used and is_parsed then cast(nullif(parts.main_group, '') as integer)
        end as entry_main_group,
        case
            when is_used and is_parsed and parts.subgroup <> ''
                then case
                    when length(parts.subgroup) > 2 then {{ rtrim_chars('parts.subgroup', "'0'") }}
                    else parts.subgroup
                end
        end as trimmed_subgroup
    from parsed

),

canonical as (

    -- rpad also truncates, so pad only what is shorter than 2 digits
    select
        *,
        case
            when length(trimmed_subgroup) < 2 then rpad(trimmed_subgroup, 2, '0')
            else trimmed_subgroup
        end as entry_subgroup
    from structured

),

final as (

    select
        minor_code,
        seq,
        major_code,
        mid_code,
        minor_name,
        ipc_raw,
        ipc_prefix,
        wildcard = 1 as has_wildcard,
        level,
        flag,
        is_used,
        is_parsed,
        entry_subclass as subclass,
        entry_main_group as main_group,
        entry_subgroup as subgroup,
        case
            when entry_subclass is null then null
            when entry_main_group is null then 'subclass'
            when entry_subgroup is null then 'main_group'
            when wildcard = 0 then 'code'
        end as match_on
    from canonical

)

select * from final
