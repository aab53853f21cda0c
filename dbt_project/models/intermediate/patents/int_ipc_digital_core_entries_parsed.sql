-- The CNIPA 2023 digital-economy core industry table (seed ref_ipc_digital_core), one row per
-- entry, with the entry's IPC prefix parsed into subclass / main group / subgroup so patents'
-- codes can be matched against it (int_patents_classified).
--
-- How an entry covers codes (the source's '*' means "this level and everything below"):
--   level 'subclass'    (H05K*)       -> every code of that subclass. The one subclass entry
--                                        without '*' (H01Q in 010302) is read the same way: a
--                                        bare subclass is not a code a patent can carry, and
--                                        H01Q* is listed elsewhere in the table anyway.
--   level 'main_group'  (G06F17*)     -> every code of that subclass and main group.
--   an entry without '*' with '/'     -> exactly that code: same subclass, main group and
--     (G05B19/418, G11B3/00)             subgroup text. The source has no subgroup entry with
--                                        '*'; one would cover the subgroups indented below it,
--                                        which needs the IPC hierarchy (dot levels), not the
--                                        code text. That is left to the patents issue.

with

entries as (

    select * from {{ ref('ref_ipc_digital_core') }}
    -- 'GC23C16*' (010501) is a typo in the source itself; its intended entry C23C16* is
    -- listed again correctly in the same sub-class, so skipping it loses nothing.
    where coalesce(flag, '') <> 'malformed_in_source'

),

parsed as (

    select
        *,
        regexp_extract(
            ipc_prefix,
            '^([A-H][0-9]{2}[A-Z])([0-9]{1,4})?(?:/([0-9]{1,6}))?$',
            ['subclass', 'main_group', 'subgroup']
        ) as parts,
        regexp_full_match(ipc_prefix, '[A-H][0-9]{2}[A-Z]([0-9]{1,4}(/[0-9]{1,6})?)?')
            as is_parsed
    from entries

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
        is_parsed,
        case when is_parsed then parts.subclass end as subclass,
        cast(nullif(parts.main_group, '') as integer) as main_group,
        case when is_parsed then nullif(parts.subgroup, '') end as subgroup
    from parsed

)

select * from final
