{{ config(materialized="view") }}

-- One row per patent x distinct parsed IPC code, for the analysts and models that need the
-- code assignments. A view (10^8 rows at national scale, never written): each patent's field
-- split on ';', every piece looked up in the piece dictionary (stg_patents__ipc_pieces) and
-- its codes unnested, a code printed twice kept once at its first position. is_main_ipc
-- compares the code with the one the patent's main IPC (主分类号) names.

with

printed as (

    select
        patent_key,
        application_number,
        main_ipc,
        {{ unnest_with_position(split_text('ipc_codes', "';'"), 'piece', 'piece_position') }}
    from {{ ref('stg_patents__patents') }}
    where ipc_codes is not null

),

pieces as (

    select * from {{ ref('stg_patents__ipc_pieces') }}

),

assignments as (

    select
        printed.patent_key,
        printed.application_number,
        printed.main_ipc,
        printed.piece_position,
        {{ unnest_list('pieces.ipc_code_ids') }} as ipc_code_id
    from printed
    inner join pieces
        on printed.piece = pieces.piece

),

first_printed as (

    select
        patent_key,
        ipc_code_id,
        any_value(application_number) as application_number,
        any_value(main_ipc) as main_ipc,
        cast(min(piece_position) as integer) as ipc_position
    from assignments
    group by patent_key, ipc_code_id

),

final as (

    select
        first_printed.patent_key,
        first_printed.application_number,
        first_printed.ipc_code_id,
        first_printed.ipc_position,
        coalesce(first_printed.ipc_code_id = main_pieces.main_ipc_code_id, false) as is_main_ipc
    from first_printed
    left join pieces as main_pieces
        on first_printed.main_ipc = main_pieces.piece

)

select * from final
