{{ config(alias='ipc_codes', materialized='table') }}

-- raw.ipc_codes on the spark target: every distinct canonical IPC code of the extracts with its
-- parts and its key, as the DuckDB ingest writes it (macros/ipc/ipc_normalize.sql, macros/spark/ipc.sql).

with

entries as (

    {{ spark_ipc_entries_sql() }}

),

normalized as (

    {{ ipc_normalize_pieces_sql('(select distinct sub as piece from entries)', target.type) }}

)

select
    {{ ipc_code_key_sql() }} as ipc_code_id,
    ipc_code, section, class, subclass, main_group, subgroup
from (
    select distinct ipc_code, section, class, subclass, main_group, subgroup
    from normalized
    where error is null
) as codes
