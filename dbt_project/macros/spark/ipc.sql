{#-
    The IPC piece dictionary on the spark target: raw.ipc_codes and raw.ipc_pieces as the DuckDB
    ingest writes them (orchestration/ingest/ipc.py: normalize_pieces_sql and _normalize, the
    same patterns and steps in Spark SQL), from raw.patents (models/spark/landing_patents).
    Each distinct piece of the fields (split on ';') and each distinct main IPC once; its
    codes folded (full width -> ASCII), upper-cased, edition suffixes dropped, tokenized,
    put in canonical form 'G06F 17/30' and keyed by ipc.CODE_KEY_SQL's number. Not ported: the
    quarantine rows (pieces that do not parse are in the dictionary, flagged, as on DuckDB, but
    not listed per patent in quality.quarantine) and the append-only incremental run. The
    full-width quotes and backslash (＂ ＇ ＼) are not folded (a Spark string literal cannot
    hold both quote characters here); a piece with them does not parse either way.
-#}

{% macro spark_ipc_patterns() %}
    {%- set code = "[A-Z][0-9]{2}[A-Z](?:[0-9]{10}|\\s*[0-9]{1,4}\\s*/\\s*[0-9]{1,6})" -%}
    {%- set full = [] -%}
    {%- set ascii = [] -%}
    {%- for i in range(94) -%}
        {%- if (33 + i) not in [34, 39, 92] -%}
            {%- do full.append('%c' % (65281 + i)) -%}
            {%- do ascii.append('%c' % (33 + i)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({
        'code': code,
        'codes_only': '(?:' ~ code ~ '\\s*)+',
        'edition': '\\(\\s*[0-9]{4}\\s*\\.\\s*[0-9]{1,2}\\s*\\)',
        'split': '\\s*[;,，；]\\s*',
        'full_width': (full | join('')) ~ ('%c' % 12288) ~ ('%c' % 160),
        'ascii': (ascii | join('')) ~ '  ',
    }) }}
{% endmacro %}


{#- normalize_pieces_sql: one row per code of each distinct piece, or one with `error` -#}
{% macro spark_normalize_pieces_sql(pieces) %}
    {%- set p = spark_ipc_patterns() -%}
    with cleaned as (
        select piece,
               trim(regexp_replace(
                   upper(translate(piece, '{{ p.full_width }}', '{{ p.ascii }}')),
                   '{{ p.edition }}', ' ')) as text
        from {{ pieces }}
    ),
    tokenized as (
        select piece, text,
               case when text rlike '^(?:{{ p.codes_only }})$'
                    then regexp_extract_all(text, '{{ p.code }}', 0) end as codes
        from cleaned
        where text <> ''
    ),
    codes as (
        select piece, cast(pos + 1 as integer) as sub_index,
               regexp_replace(token, '\\s', '') as token
        from tokenized
        lateral view posexplode(codes) exploded as pos, token
        where codes is not null
    ),
    parts as (
        select piece, sub_index, token,
               substr(token, 1, 1) as section,
               substr(token, 1, 3) as class,
               substr(token, 1, 4) as subclass,
               case when contains(token, '/') then split_part(substr(token, 5), '/', 1)
                    else substr(token, 5, 4) end as main_digits,
               case when contains(token, '/') then split_part(token, '/', 2)
                    else substr(token, 9, 6) end as sub_digits
        from codes
    ),
    checked as (
        select piece, sub_index, section, class, subclass,
               cast(main_digits as integer) as main_group,
               regexp_replace(sub_digits, '^([0-9]{2}[0-9]*?)0*$', '$1') as subgroup,
               case
                   when section not between 'A' and 'H'
                       then concat('unknown IPC section ', "'", section, "'", ' (A-H)')
                   when cast(main_digits as integer) = 0 then 'main group 0'
                   when length(sub_digits) < 2
                       then concat('one-digit subgroup ', "'/", sub_digits,
                            "' is ambiguous (/0", sub_digits, ' or /', sub_digits, '0?)')
               end as error
        from parts
    )
    select piece, sub_index,
           case when error is null
                then concat(subclass, ' ', cast(main_group as string), '/', subgroup)
           end as ipc_code,
           case when error is null then section end as section,
           case when error is null then class end as class,
           case when error is null then subclass end as subclass,
           case when error is null then main_group end as main_group,
           case when error is null then subgroup end as subgroup,
           error
    from checked
    union all
    select piece, 1 as sub_index, null, null, null, null, null, null,
           case
               when text rlike '^[A-Z][0-9]{2}[A-Z]$'
                   then 'subclass only, no main group / subgroup'
               when text rlike '^[A-Z][0-9]{2}[A-Z]\\s*[0-9]{1,4}$'
                   then 'main group without subgroup'
               else 'not an IPC code (expected e.g. G06F 17/30)'
           end as error
    from tokenized
    where codes is null
{% endmacro %}


{#- the entries (pieces of the fields and main IPCs) split further on the other separators -#}
{% macro spark_ipc_entries_sql() %}
    {%- set p = spark_ipc_patterns() -%}
    select piece, sub, cast(pos + 1 as integer) as sub_position
    from (
        select piece,
               case when piece rlike '[;,，；]' then split(piece, '{{ p.split }}')
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


{% macro spark_ipc_code_key_sql() -%}
    cast(((((instr('ABCDEFGH', section) - 1) * 100 + cast(substr(class, 2, 2) as integer))
        * 26 + ascii(substr(subclass, 4, 1)) - 65) * 10000 + main_group) * cast(1000000 as bigint)
        + cast(rpad(subgroup, 6, '0') as integer) as bigint)
{%- endmacro %}
