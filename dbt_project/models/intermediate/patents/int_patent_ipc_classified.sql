{{ config(materialized="view") }}

-- One row per patent x IPC code (int_patent_ipc_codes) with the code's
-- classification from the code dimension int_ipc_codes_classified: whether it is a
-- digital-economy core code of the CNIPA 2023 table, and the sub-classes / major classes
-- covering it as bit masks. A view: at national scale these are 10^8 rows, and
-- int_patents_classified aggregates the integer keys directly rather than these decoded rows;
-- models that need only the keys and the code facts read int_patent_ipc_keys_classified
-- (the same rows without the join to the patents for the application number).

with

patent_codes as (

    select
        assignments.*,
        code_parts.ipc_code,
        code_parts.section,
        code_parts.class,
        code_parts.subclass,
        code_parts.main_group,
        code_parts.subgroup
    from {{ ref('int_patent_ipc_codes') }} as assignments
    inner join {{ ref('stg_patents__ipc_codes') }} as code_parts
        on assignments.ipc_code_id = code_parts.ipc_code_id

),

codes as (

    select * from {{ ref('int_ipc_codes_classified') }}

),

final as (

    select
        patent_codes.application_number,
        patent_codes.patent_key,
        patent_codes.ipc_code_id,
        patent_codes.ipc_position,
        patent_codes.is_main_ipc,
        patent_codes.ipc_code,
        patent_codes.section,
        patent_codes.class,
        patent_codes.subclass,
        patent_codes.main_group,
        patent_codes.subgroup,
        codes.is_digital_code,
        codes.n_digital_minors,
        codes.digital_minor_mask,
        codes.digital_major_mask
    from patent_codes
    inner join codes
        on patent_codes.ipc_code_id = codes.ipc_code_id

)

select * from final
