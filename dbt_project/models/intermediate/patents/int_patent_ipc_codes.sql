-- One row per patent x IPC code, parsed into the IPC hierarchy.
--
-- Splitting: only ';' separates codes here (the demo extract and the CNIPA export use it);
-- ',' and whitespace-separated lists are not handled yet.
-- Normalizing: upper case, all whitespace removed, so 'g06f 17/30' and 'G06F17/30' are the
-- same code. Full-width characters (Ｇ０６Ｆ) are a later issue: such codes end up with
-- is_parsed = false rather than being guessed at.
-- A code that does not parse is kept (is_parsed = false, hierarchy columns NULL) so it can be
-- counted and inspected; the classification uses parsed codes only.

with

patents as (

    select
        application_number,
        main_ipc,
        string_split(ipc_codes, ';') as ipc_code_list
    from {{ ref('stg_patents__patents') }}
    where ipc_codes is not null

),

exploded as (

    select
        application_number,
        main_ipc,
        unnest(ipc_code_list) as ipc_code_raw,
        generate_subscripts(ipc_code_list, 1) as ipc_position
    from patents

),

normalized as (

    select
        application_number,
        ipc_position,
        ipc_code_raw,
        upper(regexp_replace(ipc_code_raw, '\s', '', 'g')) as ipc_code_normalized,
        upper(regexp_replace(main_ipc, '\s', '', 'g')) as main_ipc_normalized
    from exploded

),

non_empty as (

    -- a trailing or doubled ';' yields empty pieces, which are separators, not codes
    select * from normalized
    where ipc_code_normalized <> ''

),

deduplicated as (

    -- a code listed twice for the same patent counts once; keep its first position
    select * from non_empty
    qualify row_number() over (
        partition by application_number, ipc_code_normalized
        order by ipc_position
    ) = 1

),

parsed as (

    select
        *,
        -- section letter, 2-digit class, subclass letter, main group, '/', subgroup
        regexp_extract(
            ipc_code_normalized,
            '^([A-H])([0-9]{2})([A-Z])([0-9]{1,4})/([0-9]{1,6})$',
            ['section', 'class_digits', 'subclass_letter', 'main_group', 'subgroup']
        ) as parts,
        regexp_full_match(
            ipc_code_normalized, '[A-H][0-9]{2}[A-Z][0-9]{1,4}/[0-9]{1,6}'
        ) as is_parsed
    from deduplicated

),

final as (

    -- parts are '' when the code does not parse; NULL them so nothing half-parsed leaks out
    select
        application_number,
        ipc_position,
        ipc_code_raw,
        ipc_code_normalized,
        is_parsed,
        case when is_parsed then parts.section end as section,
        case when is_parsed then parts.section || parts.class_digits end as class,
        case
            when is_parsed then parts.section || parts.class_digits || parts.subclass_letter
        end as subclass,
        cast(nullif(parts.main_group, '') as integer) as main_group,
        nullif(parts.subgroup, '') as subgroup,
        case
            when is_parsed
                then parts.section || parts.class_digits || parts.subclass_letter
                || ' ' || cast(cast(nullif(parts.main_group, '') as integer) as varchar)
                || '/' || parts.subgroup
        end as ipc_code,
        coalesce(ipc_code_normalized = main_ipc_normalized, false) as is_main_ipc
    from parsed

)

select * from final
