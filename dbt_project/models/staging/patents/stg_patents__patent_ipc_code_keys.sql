-- The patent x IPC code assignments with their integer keys only, as written at ingest
-- (raw.patent_ipc_codes). The hot path (int_patents_classified, int_patent_ipc_code_flags)
-- reads this thin view: at national scale these are 10^8 rows, and decoding the application
-- number and code text per row (stg_patents__patent_ipc_codes, for people and for checks)
-- costs more than the classification itself.

with

source as (

    select * from {{ source('patents', 'patent_ipc_codes') }}

),

renamed as (

    select
        -- ids
        cast(patent_key as bigint) as patent_key,
        cast(ipc_code_id as integer) as ipc_code_id,

        -- position in the printed field
        cast(ipc_position as integer) as ipc_position,
        cast(is_main_ipc as boolean) as is_main_ipc

    from source

)

select * from renamed
