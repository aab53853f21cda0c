-- One row per patent x distinct canonical IPC code (normalized at ingest by
-- orchestration/ingest/ipc.py). The raw table holds integer keys only, because at national
-- scale (10^8 rows) writing the code text and application number per row costs more than
-- the normalization itself; this view decodes them, for people and checks. Models that only
-- need the keys (patent_key, ipc_code_id) read stg_patents__patent_ipc_code_keys (the same
-- rows, no decoding joins) with stg_patents__ipc_codes instead.

with

codes as (

    select * from {{ source('patents', 'patent_ipc_codes') }}

),

code_parts as (

    select * from {{ source('patents', 'ipc_codes') }}

),

patents as (

    select patent_key, application_number from {{ source('patents', 'patents') }}

),

renamed as (

    select
        -- ids
        cast(patents.application_number as varchar) as application_number,
        cast(codes.patent_key as bigint) as patent_key,
        cast(codes.ipc_code_id as integer) as ipc_code_id,

        -- position in the printed field
        cast(codes.ipc_position as integer) as ipc_position,
        cast(codes.is_main_ipc as boolean) as is_main_ipc,

        -- the code and its parts
        cast(code_parts.ipc_code as varchar) as ipc_code,
        cast(code_parts.section as varchar) as section,
        cast(code_parts.class as varchar) as class,
        cast(code_parts.subclass as varchar) as subclass,
        cast(code_parts.main_group as integer) as main_group,
        cast(code_parts.subgroup as varchar) as subgroup

    from codes
    inner join code_parts on codes.ipc_code_id = code_parts.ipc_code_id
    inner join patents on codes.patent_key = patents.patent_key

)

select * from renamed
