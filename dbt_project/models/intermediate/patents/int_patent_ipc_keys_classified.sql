{{ config(materialized="view") }}

-- One row per patent x IPC code by integer keys (int_patent_ipc_codes) with the
-- code's subclass and classification from the code dimension int_ipc_codes_classified. The
-- same rows as int_patent_ipc_classified without the decoded application number and code
-- text: models that aggregate over the 10^8 code rows (dri_index_components) read this view,
-- whose only join is the integer one to the ~10^5-row code dimension.

with

patent_codes as (

    select patent_key, ipc_code_id, ipc_position, is_main_ipc
    from {{ ref('int_patent_ipc_codes') }}

),

codes as (

    select * from {{ ref('int_ipc_codes_classified') }}

),

final as (

    select
        patent_codes.patent_key,
        patent_codes.ipc_code_id,
        patent_codes.ipc_position,
        patent_codes.is_main_ipc,
        codes.section,
        codes.class,
        codes.subclass,
        codes.main_group,
        codes.subgroup,
        codes.is_digital_code,
        codes.n_digital_minors,
        codes.digital_minor_mask,
        codes.digital_major_mask
    from patent_codes
    inner join codes
        on patent_codes.ipc_code_id = codes.ipc_code_id

)

select * from final
