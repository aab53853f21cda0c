{#-
    The IPC piece dictionary on the spark target: raw.ipc_codes and raw.ipc_pieces as the DuckDB
    ingest writes them (orchestration/ingest/ipc.py), from raw.patents
    (models/spark/landing_patents). The normalization itself (folding, tokenizer, canonical
    form, code key) is not here: it is the one set of macros both engines render,
    macros/ipc/ipc_normalize.sql. This is only how Spark gets the entries to normalize: each
    distinct piece of the fields (split on ';') and each distinct main IPC once, split further
    on the other separators. Not ported: the append-only incremental run (a Spark build is a
    full build).
-#}

{#- the entries (pieces of the fields and main IPCs) split further on the other separators -#}
{% macro spark_ipc_entries_sql() %}
    select piece, sub, cast(pos + 1 as integer) as sub_position
    from (
        select piece,
               case when piece rlike '[{{ ipc_separators() }}]'
                    then split(piece, '{{ ipc_split_pattern() }}')
                    else array(piece) end as subs
        from (
            select distinct explode(
                concat(coalesce(split(ipc_codes, ';'), array()), array(main_ipc))
            ) as piece
            from {{ ref('landing_patents') }}
        ) as entries
        where piece is not null
    ) as split_entries
    lateral view posexplode(subs) exploded as pos, sub
{% endmacro %}
