-- The piece dictionary (raw.ipc_pieces, written at ingest by orchestration/ingest/ipc.py):
-- each distinct piece of text of the patents' IPC fields (split on ';') and each distinct
-- main IPC, with the canonical codes it holds. ~10^5 rows however large the extract: the
-- per-patent models look the patents' pieces up here instead of parsing 10^8 codes.

with

source as (

    select * from {{ source('patents', 'ipc_pieces') }}

),

renamed as (

    select
        cast(piece as {{ string_type() }}) as piece,
        cast(ipc_code_ids as {{ list_type('bigint') }}) as ipc_code_ids,
        cast(main_ipc_code_id as bigint) as main_ipc_code_id,
        unparseable is not null as is_unparseable

    from source

)

select * from renamed
