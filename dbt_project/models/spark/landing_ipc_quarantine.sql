{{ config(alias='quarantine', schema='quality', materialized='table') }}

-- quality.quarantine on the spark target: the rows the DuckDB ingest writes for the IPC
-- fields (orchestration/ingest/ipc.py _normalize, step 3), with the same columns, texts and
-- reasons: one per patent without any code ('no IPC code'), and one per patent and printed
-- piece (split on ';') that holds something that does not parse, with the application
-- number and the reasons (the pieces are flagged in raw.ipc_pieces.unparseable; a main IPC
-- that does not parse is not quarantined, the field counts). Provenance as landing_patents
-- has it: no sha256, no record number for Parquet parts. Only these rows: the Spark build
-- reads no yearbooks.

with

patents as (

    select
        patent_key, application_number, ipc_codes,
        source_file, source_sha256, sheet, source_row, source_col
    from {{ ref('landing_patents') }}

),

bad_entries as (

    select piece, bad.piece as part, bad.reason
    from {{ ref('landing_ipc_pieces') }}
    lateral view explode(unparseable) exploded as bad
    where unparseable is not null

),

bad_hits as (

    select
        printed.patent_key,
        bad_entries.part,
        -- the DuckDB ingest joins the distinct reasons in no set order; sorted here
        array_join(array_sort(collect_set(bad_entries.reason)), '; ') as reasons
    from (
        select patent_key, explode(split(ipc_codes, ';')) as piece
        from patents
        where ipc_codes is not null
    ) as printed
    inner join bad_entries
        on printed.piece = bad_entries.piece
    group by printed.patent_key, bad_entries.part

)

select
    source_file, source_sha256, sheet, source_row, source_col,
    'raw.ipc_pieces' as target_table,
    application_number || ': ' || coalesce(ipc_codes, '') as value_text,
    'no IPC code' as reason,
    current_timestamp() as loaded_at
from patents
where ipc_codes is null
    or trim(leading ' {{ ipc_separators() }}' from ipc_codes) = ''

union all

select
    patents.source_file, patents.source_sha256, patents.sheet, patents.source_row,
    patents.source_col,
    'raw.ipc_pieces' as target_table,
    patents.application_number || ': ' || bad_hits.part as value_text,
    'unparseable IPC code: ' || bad_hits.reasons as reason,
    current_timestamp() as loaded_at
from bad_hits
inner join patents
    on bad_hits.patent_key = patents.patent_key
