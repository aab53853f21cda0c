{{ config(alias='ipc_pieces', materialized='table') }}

-- raw.ipc_pieces on the spark target: the piece dictionary as the DuckDB ingest writes it
-- (orchestration/ingest/ipc.py _normalize step 2; the normalization is macros/ipc/ipc_normalize.sql): per entry its codes
-- in printed order, each once, the code it means as a main IPC, and what does not parse.

with

entries as (

    {{ spark_ipc_entries_sql() }}

),

normalized as (

    {{ ipc_normalize_pieces_sql('(select distinct sub as piece from entries)', target.type) }}

),

hits as (

    select entries.piece, entries.sub_position, normalized.sub_index, codes.ipc_code_id,
        normalized.error, trim(entries.sub) as sub
    from entries
    left join normalized on normalized.piece = entries.sub
    left join {{ ref('landing_ipc_codes') }} as codes on codes.ipc_code = normalized.ipc_code

),

grouped as (

    select
        piece,
        transform(
            array_sort(collect_list(struct(sub_position, sub_index, ipc_code_id))
                filter (where ipc_code_id is not null)),
            x -> x.ipc_code_id
        ) as codes,
        max(ipc_code_id) filter (where sub_position = 1 and sub_index = 1) as main_ipc_code_id,
        collect_set(named_struct('piece', sub, 'reason', error))
            filter (where error is not null) as unparseable
    from hits
    group by piece

)

select
    piece,
    -- each code once, at its first position (array_distinct keeps the first)
    array_distinct(codes) as ipc_code_ids,
    main_ipc_code_id,
    case when size(unparseable) > 0 then unparseable end as unparseable
from grouped
