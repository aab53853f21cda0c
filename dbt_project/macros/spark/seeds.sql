{#-
    Seeds on the spark target. dbt-spark creates the seed table with the YAML column types and
    inserts the rows as bound parameters, which it formats as text ('None' for an empty cell,
    broken by a quote). Here the table is created with the types spelled for Spark (VARCHAR
    needs a length there: STRING) and filled by Spark itself from the seed's CSV file (its
    reader: header, RFC 4180 quotes, empty cell = NULL, as dbt-duckdb loads it), one
    INSERT ... SELECT with a cast per column.
-#}

{% macro spark_column_type(type) -%}
    {%- set lowered = type | lower | trim -%}
    {%- if lowered in ['varchar', 'text', 'char'] -%}
        {{ return('string') }}
    {%- elif lowered == 'integer' -%}
        {{ return('int') }}
    {%- else -%}
        {{ return(type) }}
    {%- endif -%}
{%- endmacro %}


{#- The Spark type of a seed's column `index`: its YAML type, else the one inferred from the
    CSV. The table is created and filled with the same one. -#}
{% macro seed_spark_column_type(model, agate_table, index) -%}
    {%- set col_name = agate_table.column_names[index] -%}
    {%- set inferred_type = adapter.convert_type(agate_table, index) -%}
    {{ return(spark_column_type(model['config'].get('column_types', {}).get(col_name, inferred_type))) }}
{%- endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set type = seed_spark_column_type(model, agate_table, loop.index0) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set view = '__dri_seed_csv_' ~ model['name'] -%}
  {%- set path = agate_table.original_abspath -%}

  {% call statement('_') -%}
    create or replace temporary view {{ view }}
    using csv
    options (path '{{ path }}', header 'true', multiLine 'true', escape '"', encoding 'UTF-8')
  {%- endcall %}

  {% set sql %}
    insert into {{ this.render() }}
    select
        {%- for col_name in agate_table.column_names %}
        cast(`{{ col_name }}` as {{ seed_spark_column_type(model, agate_table, loop.index0) }}){{ ',' if not loop.last }}
        {%- endfor %}
    from {{ view }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{#-
    Model contracts on the spark target: the YAML data types are DuckDB's (varchar); Spark needs
    a length for VARCHAR, so the empty schema that dbt compares the model's columns with is
    spelled with spark_column_type (varchar -> string). The types compared are Spark's on both
    sides.
-#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
      {%- set col = columns[i] -%}
      {%- if col['data_type'] is not defined -%}
        {%- do col_err.append(col['name']) -%}
      {%- endif -%}
      {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
      {{ cast('null', spark_column_type(col['data_type'])) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
      {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}
