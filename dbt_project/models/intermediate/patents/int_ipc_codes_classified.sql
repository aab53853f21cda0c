-- The code dimension: one row per distinct IPC code of the extracts (stg_patents__ipc_codes)
-- with whether it is a digital-economy core code of the CNIPA 2023 table and, as bit masks,
-- which sub-classes (小类) and major classes (大类) cover it (bits: int_digital_core_industries).
-- The per-patent models join the patent x code rows to this table on the integer
-- ipc_code_id, so the 10^8 code assignments meet only a 10^5-row hash table.

with

codes as (

    select * from {{ ref('stg_patents__ipc_codes') }}

),

code_minors as (

    select * from {{ ref('int_ipc_code_digital_minors') }}

),

digital_codes as (

    select
        ipc_code_id,
        cast(count(*) as integer) as n_digital_minors,
        {{ digital_mask_or(digital_mask_bit('minor_bit')) }} as digital_minor_mask,
        bit_or({{ small_mask_bit('(cast(major_code as integer) - 1)') }}) as digital_major_mask
    from code_minors
    group by ipc_code_id

),

final as (

    select
        codes.ipc_code_id,
        codes.ipc_code,
        codes.section,
        codes.class,
        codes.subclass,
        codes.main_group,
        codes.subgroup,
        digital_codes.ipc_code_id is not null as is_digital_code,
        coalesce(digital_codes.n_digital_minors, 0) as n_digital_minors,
        digital_codes.digital_minor_mask,
        digital_codes.digital_major_mask
    from codes
    left join digital_codes
        on codes.ipc_code_id = digital_codes.ipc_code_id

)

select * from final
