{#-
    The landing zone's patent extracts read by Spark itself (spark target only; the DuckDB build
    reads them in orchestration/ingest/patent_load.py). `dri spark build` passes the files as the
    var `spark_patent_files`: a list of {path, format (csv | parquet), relpath}, newest first
    (the precedence of orchestration.ingest.landing.newest_first); a Parquet entry may be a
    folder of parts. Without the var, the demo layout: landing/patents/patents_demo.csv.

    Each extract becomes a temporary view (Spark's CSV reader: header row, UTF-8, RFC 4180
    quotes; or Parquet); its headers are mapped to the raw.patents columns by the same alias
    table as the DuckDB ingest (orchestration/ingest/patents.py COLUMN_MAP, compared
    case-, space- and underscore-insensitively). Dates are read as the DuckDB ingest reads them
    (typed dates; 2010-01-05, 2010/1/5, 2010.01.05, 2010年1月5日, 20100105). Rows without an
    application number or a readable application date are left out (the DuckDB ingest puts them
    in quality.quarantine with the reason); a patent in several extracts is kept from the
    newest. patent_key: for a CSV extract the DuckDB ingest's (file number << 32 | record
    number; Spark reads a multiLine CSV file as one partition, in order); for Parquet, unique
    within the build only. Limits against the DuckDB ingest: no full-width (NFKC) folding of
    headers, no GBK text, no record numbers for Parquet (source_row NULL), no source_sha256.
-#}

{% macro spark_patent_column_map() %}
    {{ return({
        '申请号': 'application_number', '专利申请号': 'application_number',
        'application_number': 'application_number', 'Application Number': 'application_number',
        'Application No': 'application_number',
        '申请日': 'application_date', 'application_date': 'application_date',
        'Application Date': 'application_date',
        '公开(公告)日': 'publication_date', '公开日': 'publication_date', '公告日': 'publication_date',
        '授权公告日': 'publication_date', 'publication_date': 'publication_date',
        'Publication Date': 'publication_date',
        '专利类型': 'patent_type', 'patent_type': 'patent_type', 'Patent Type': 'patent_type',
        'type': 'patent_type',
        '名称': 'title', '标题': 'title', '发明名称': 'title', '专利名称': 'title', 'title': 'title',
        '摘要': 'abstract', 'Abstract': 'abstract',
        '申请人': 'applicant', '申请(专利权)人': 'applicant', '专利权人': 'applicant',
        'applicant': 'applicant', 'Applicants': 'applicant',
        '申请人地址': 'applicant_address', '地址': 'applicant_address',
        'address': 'applicant_address', 'applicant_address': 'applicant_address',
        '申请人区划代码': 'applicant_region_code', '申请人行政区划代码': 'applicant_region_code',
        '行政区划代码': 'applicant_region_code', '区划代码': 'applicant_region_code',
        '地区代码': 'applicant_region_code', '省市代码': 'applicant_region_code',
        '国省代码': 'applicant_region_code', 'applicant_region_code': 'applicant_region_code',
        'Applicant Region Code': 'applicant_region_code', 'Region Code': 'applicant_region_code',
        '主分类号': 'main_ipc', 'IPC主分类号': 'main_ipc', 'main_ipc': 'main_ipc',
        'Main IPC': 'main_ipc',
        'IPC分类号': 'ipc_codes', '分类号': 'ipc_codes', 'IPC': 'ipc_codes',
        'ipc_codes': 'ipc_codes', 'IPC Codes': 'ipc_codes',
    }) }}
{% endmacro %}


{#- header as compared: lower case, without spaces, underscores, dots, dashes and a BOM -#}
{% macro spark_header_key(header) -%}
    {%- set key = header | lower -%}
    {%- for c in [' ', '_', '.', '-', '\t', '\ufeff'] -%}
        {%- set key = key | replace(c, '') -%}
    {%- endfor -%}
    {{ return(key) }}
{%- endmacro %}


{% macro spark_patent_date(column, data_type) -%}
    {%- set separated = "'(\\d{4})[-/.年](\\d{1,2})[-/.月](\\d{1,2})日?(?:[ T].*)?'" -%}
    {%- if data_type == 'date' -%}
        {{ column }}
    {%- elif data_type.startswith('timestamp') -%}
        cast({{ column }} as date)
    {%- else -%}
        {%- set text = "nullif(trim(cast(" ~ column ~ " as string)), '')" -%}
        case
            when length({{ text }}) = 10 and substr({{ text }}, 5, 1) = '-'
                and substr({{ text }}, 8, 1) = '-' and left({{ text }}, 4) <> '0000'
                then try_cast({{ text }} as date)
            when {{ text }} rlike concat('^(?:', {{ separated }}, ')$')
                then try_cast(concat_ws('-',
                    nullif(regexp_extract({{ text }}, {{ separated }}, 1), '0000'),
                    regexp_extract({{ text }}, {{ separated }}, 2),
                    regexp_extract({{ text }}, {{ separated }}, 3)) as date)
            when {{ text }} rlike '^[0-9]{8}$'
                then try_cast(concat_ws('-', nullif(left({{ text }}, 4), '0000'),
                    substr({{ text }}, 5, 2), substr({{ text }}, 7, 2)) as date)
        end
    {%- endif -%}
{%- endmacro %}


{% macro spark_landing_patents_sql() %}
    {%- set landing = env_var('DRI_LANDING_DIR', '../warehouse/landing') -%}
    {%- set files = var('spark_patent_files', [
        {'path': landing ~ '/patents/patents_demo.csv', 'format': 'csv',
         'relpath': 'patents/patents_demo.csv'}
    ]) -%}
    {%- set fields = ['application_number', 'application_date', 'publication_date',
        'patent_type', 'title', 'applicant', 'applicant_address', 'applicant_region_code',
        'main_ipc', 'ipc_codes', 'abstract'] -%}
    {%- set aliases = spark_patent_column_map() -%}
    {%- set selects = [] -%}
    {%- for file in files -%}
        {%- set view = '__dri_landing_patents_' ~ loop.index -%}
        {%- if execute -%}
            {%- if file['format'] == 'csv' -%}
                {%- do run_query(
                    "create or replace temporary view " ~ view ~ " using csv options (path '"
                    ~ file['path'] ~ "', header 'true', multiLine 'true', escape '\"', "
                    ~ "encoding 'UTF-8', inferSchema 'false')") -%}
            {%- else -%}
                {%- do run_query(
                    "create or replace temporary view " ~ view ~ " using parquet options (path '"
                    ~ file['path'] ~ "', recursiveFileLookup 'true', pathGlobFilter '*.parquet')") -%}
            {%- endif -%}
            {%- set described = run_query('describe ' ~ view) -%}
            {%- set types = {} -%}
            {%- for row in described.rows -%}
                {%- do types.update({row[0]: row[1] | lower}) -%}
            {%- endfor -%}
        {%- else -%}
            {%- set types = {} -%}
        {%- endif -%}
        {#- canonical column -> header: the first alias found wins -#}
        {%- set by_key = {} -%}
        {%- for header in types -%}
            {%- if spark_header_key(header) not in by_key -%}
                {%- do by_key.update({spark_header_key(header): header}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set mapping = {} -%}
        {%- for alias, canonical in aliases.items() -%}
            {%- set header = by_key.get(spark_header_key(alias)) -%}
            {%- if header is not none and canonical not in mapping -%}
                {%- do mapping.update({canonical: header}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if execute -%}
            {%- for required in ['application_number', 'application_date', 'ipc_codes'] -%}
                {%- if required not in mapping -%}
                    {{ exceptions.raise_compiler_error(
                        file['relpath'] ~ ": missing required column " ~ required
                        ~ " (headers found: " ~ (types.keys() | join(', ')) ~ ")") }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set columns = [] -%}
        {%- for field in fields -%}
            {%- if field not in mapping -%}
                {%- do columns.append(
                    'cast(null as ' ~ ('date' if field.endswith('_date') else 'string')
                    ~ ') as ' ~ field) -%}
            {%- elif field.endswith('_date') -%}
                {%- do columns.append(spark_patent_date(
                    '`' ~ mapping[field] ~ '`', types[mapping[field]]) ~ ' as ' ~ field) -%}
            {%- else -%}
                {%- do columns.append(
                    "nullif(trim(cast(`" ~ mapping[field] ~ "` as string)), '') as " ~ field) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set select -%}
    select
        {{ loop.index0 }} as file_rank,
        {%- set file_index = file.get('file_index', loop.index0) %}
        {%- if file['format'] == 'csv' %}
        '{{ file['relpath'] }}' as source_file,
        -- one partition per CSV file (multiLine), read in order: the record number
        monotonically_increasing_id() + 2 as source_row,
        shiftleft(cast({{ file_index }} as bigint), 32) | monotonically_increasing_id()
            as patent_key,
        {%- else %}
        concat('{{ file['relpath'] }}', '/',
            substring_index(input_file_name(), '/', -1)) as source_file,
        cast(null as bigint) as source_row,
        -- bit 62 set: apart from the CSV keys; file in bits 57-61, Spark's row id below
        shiftleft(cast(1 as bigint), 62) | shiftleft(cast({{ file_index }} as bigint), 57)
            | monotonically_increasing_id() as patent_key,
        {%- endif %}
        {{ columns | join(',\n        ') }}
    from {{ view }}
        {%- endset -%}
        {%- do selects.append(select) -%}
    {%- endfor %}
    {%- if selects | length == 0 -%}
        {{ exceptions.raise_compiler_error("no patent extract in the landing zone") }}
    {%- endif -%}
with

extracts as (
{{ selects | join('\n    union all') }}

),

readable as (

    select * from extracts
    where application_number is not null and application_date is not null

),

newest as (

    {%- if files | length > 1 %}
    select * from readable
    qualify row_number() over (partition by application_number order by file_rank) = 1
    {%- else %}
    select * from readable
    {%- endif %}

)

select
    source_file,
    cast(null as string) as source_sha256,
    cast(null as string) as sheet,
    source_row,
    cast(null as bigint) as source_col,
    {{ fields | join(',\n    ') }},
    patent_key,
    current_timestamp() as loaded_at
from newest
{% endmacro %}


{#-
    The patents sources on the spark target are the models of models/spark (landing_patents,
    landing_ipc_pieces, landing_ipc_codes: relations raw.patents, raw.ipc_pieces, raw.ipc_codes
    as on DuckDB), so dbt orders them before the staging views; every other source, and every
    source on DuckDB, is dbt's own.
-#}
{% macro source(source_name, table_name) %}
    {%- if target.type == 'spark' and source_name == 'patents' -%}
        {%- if table_name == 'patents' -%}
            {{ return(ref('landing_patents')) }}
        {%- elif table_name == 'ipc_pieces' -%}
            {{ return(ref('landing_ipc_pieces')) }}
        {%- elif table_name == 'ipc_codes' -%}
            {{ return(ref('landing_ipc_codes')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(builtins.source(source_name, table_name)) }}
{% endmacro %}
