{#-
    IPC codes as printed -> canonical codes and their parts: the ONE source of the
    normalization SQL for both engines. The DuckDB ingest renders these macros with plain
    Jinja (orchestration/ingest/ipc.py, dialect 'duckdb': raw.ipc_pieces / raw.ipc_codes are
    written at ingest); on the spark target the models models/spark/landing_ipc_*.sql call
    them through dbt (dialect target.type). Plain Jinja only here: no ref, adapter, return or
    other dbt context, and every difference between the dialects is an `if dialect` below.
    Spellings, canonical form and errors: the docstring of orchestration/ingest/ipc.py.
    Regular expressions are written once, with single backslashes: DuckDB reads '\s' as
    backslash-s, Spark too with spark.sql.parser.escapedStringLiterals (profiles.yml).
-#}

{#- One code as the tokenizer sees it (after folding and upper-casing): a section letter
    (any, checked after), 2 digits, a subclass letter, then the compact DOCDB group or a
    main group '/' subgroup with optional spaces. -#}
{% macro ipc_code_pattern() %}[A-Z][0-9]{2}[A-Z](?:[0-9]{10}|\s*[0-9]{1,4}\s*/\s*[0-9]{1,6})
{%- endmacro %}

{#- An edition suffix, `(2006.01)` -#}
{% macro ipc_edition_pattern() %}\(\s*[0-9]{4}\s*\.\s*[0-9]{1,2}\s*\){% endmacro %}

{#- Separators between codes; one with spaces around it ('; ') is split as one, so the
    pieces of a field come out trimmed. -#}
{% macro ipc_separators() %};,，；{% endmacro %}
{% macro ipc_split_pattern() %}\s*[{{ ipc_separators() }}]\s*{% endmacro %}

{#- The two arguments of translate() that fold full-width ASCII (U+FF01..U+FF5E), the
    ideographic space and the no-break space to ASCII (what NFKC does for these characters;
    DuckDB's nfc_normalize does not fold them). The ASCII quotes and backslash are appended
    with chr() so that no string literal holds them (Spark cannot escape both quotes). -#}
{% macro ipc_fold_from() -%}
    '
    {%- for i in range(94) if (33 + i) not in [34, 39, 92] %}{{ '%c' % (65281 + i) }}{% endfor -%}
    {{ '%c' % 12288 }}{{ '%c' % 160 }}{{ '%c' % 65282 }}{{ '%c' % 65287 }}{{ '%c' % 65340 }}'
{%- endmacro %}
{% macro ipc_fold_to() -%}
    '
    {%- for i in range(94) if (33 + i) not in [34, 39, 92] %}{{ '%c' % (33 + i) }}{% endfor -%}
    {{ '  ' }}' || chr(34) || chr(39) || chr(92)
{%- endmacro %}


{#-
    SQL over a table or subquery `pieces` with a text column `piece` (distinct pieces): one
    row per code found in a piece (piece, sub_index 1-based within the piece, ipc_code,
    section, class, subclass, main_group, subgroup) or one row with `error` set when the
    piece (or a code in it) does not parse. Pieces empty after cleaning give no row.
-#}
{% macro ipc_normalize_pieces_sql(pieces, dialect) %}
    {%- set spark = dialect == 'spark' %}
    WITH cleaned AS (
        SELECT piece,
               trim(regexp_replace(
                   upper(translate(piece, {{ ipc_fold_from() }}, {{ ipc_fold_to() }})),
                   '{{ ipc_edition_pattern() }}', ' '{{ '' if spark else ", 'g'" }})) AS text
        FROM {{ pieces }}
    ),
    tokenized AS (
        SELECT piece, text,
               CASE WHEN {{ ipc_full_match_sql('text', '(?:' ~ ipc_code_pattern() ~ '\\s*)+', spark) }}
                    THEN regexp_extract_all(text, '{{ ipc_code_pattern() }}'{{ ', 0' if spark else '' }}) END AS codes
        FROM cleaned
        WHERE text <> ''
    ),
    codes AS (
        {%- if spark %}
        SELECT piece, CAST(pos + 1 AS INTEGER) AS sub_index,
               regexp_replace(token, '\s', '') AS token
        FROM tokenized
        LATERAL VIEW posexplode(codes) exploded AS pos, token
        WHERE codes IS NOT NULL
        {%- else %}
        SELECT piece, CAST(sub_index AS INTEGER) AS sub_index,
               regexp_replace(token, '\s', '', 'g') AS token
        FROM (SELECT piece, unnest(codes) AS token, generate_subscripts(codes, 1) AS sub_index
              FROM tokenized WHERE codes IS NOT NULL)
        {%- endif %}
    ),
    parts AS (
        SELECT piece, sub_index, token,
               substr(token, 1, 1) AS section,
               substr(token, 1, 3) AS class,
               substr(token, 1, 4) AS subclass,
               CASE WHEN contains(token, '/') THEN split_part(substr(token, 5), '/', 1)
                    ELSE substr(token, 5, 4) END AS main_digits,
               CASE WHEN contains(token, '/') THEN split_part(token, '/', 2)
                    ELSE substr(token, 9, 6) END AS sub_digits
        FROM codes
    ),
    checked AS (
        SELECT piece, sub_index, section, class, subclass,
               CAST(main_digits AS INTEGER) AS main_group,
               regexp_replace(sub_digits, '^([0-9]{2}[0-9]*?)0*$', '{{ "$1" if spark else "\\1" }}') AS subgroup,
               CASE
                   WHEN section NOT BETWEEN 'A' AND 'H'
                       THEN 'unknown IPC section ' || chr(39) || section || chr(39) || ' (A-H)'
                   WHEN CAST(main_digits AS INTEGER) = 0 THEN 'main group 0'
                   WHEN length(sub_digits) < 2
                       THEN 'one-digit subgroup ' || chr(39) || '/' || sub_digits || chr(39)
                            || ' is ambiguous (/0' || sub_digits || ' or /' || sub_digits
                            || '0?)'
               END AS error
        FROM parts
    )
    SELECT piece, sub_index,
           CASE WHEN error IS NULL
                THEN subclass || ' ' || CAST(main_group AS {{ 'STRING' if spark else 'VARCHAR' }}) || '/' || subgroup
           END AS ipc_code,
           CASE WHEN error IS NULL THEN section END AS section,
           CASE WHEN error IS NULL THEN class END AS class,
           CASE WHEN error IS NULL THEN subclass END AS subclass,
           CASE WHEN error IS NULL THEN main_group END AS main_group,
           CASE WHEN error IS NULL THEN subgroup END AS subgroup,
           error
    FROM checked
    UNION ALL
    SELECT piece, 1 AS sub_index, NULL, NULL, NULL, NULL, NULL, NULL,
           CASE
               WHEN {{ ipc_full_match_sql('text', '[A-Z][0-9]{2}[A-Z]', spark) }}
                   THEN 'subclass only, no main group / subgroup'
               WHEN {{ ipc_full_match_sql('text', '[A-Z][0-9]{2}[A-Z]\\s*[0-9]{1,4}', spark) }}
                   THEN 'main group without subgroup'
               ELSE 'not an IPC code (expected e.g. G06F 17/30)'
           END AS error
    FROM tokenized
    WHERE codes IS NULL
{% endmacro %}

{%- macro ipc_full_match_sql(text, pattern, spark) -%}
    {%- if spark -%}
        {{ text }} RLIKE '^(?:{{ pattern }})$'
    {%- else -%}
        regexp_full_match({{ text }}, '{{ pattern }}')
    {%- endif -%}
{%- endmacro %}


{#-
    A code's key, from its parts alone: section (0-7), class number, subclass letter, main
    group and subgroup (6 digits, as the decimal it is: /3 = /300000) side by side in decimal,
    G06F 17/30 -> 15761 0017 300000. The same code has the same key in every build and in a
    build that adds a year to the others, and keys sort in code order. Same text on both.
-#}
{% macro ipc_code_key_sql() -%}
    CAST(((((instr('ABCDEFGH', section) - 1) * 100 + CAST(substr(class, 2, 2) AS INTEGER))
        * 26 + ascii(substr(subclass, 4, 1)) - 65) * 10000 + main_group) * CAST(1000000 AS BIGINT)
        + CAST(rpad(subgroup, 6, '0') AS INTEGER) AS BIGINT)
{%- endmacro %}
