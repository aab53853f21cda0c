{#- The application years of the patents appended since the last build (patent_key >= the var
    patents_new_from_key, patent_load's `appended_from_key`), read when the calling model runs:
    a list of integers, [] when the var is not set or dbt is only parsing. The incremental
    models recompute these years (delete + insert, or Spark's insert_overwrite, by year). -#}
{% macro patents_new_years() %}
    {%- set new_from_key = var('patents_new_from_key', none) %}
    {%- if new_from_key is none or not execute %}
        {{- return([]) }}
    {%- endif %}
    {%- set rows = run_query(
        "select distinct cast(year(application_date) as integer) as application_year from "
        ~ ref('stg_patents__patents') ~ " where patent_key >= " ~ (new_from_key | int)
        ~ " and application_date is not null") %}
    {{- return(rows.columns[0].values() | map('int') | sort | list) }}
{% endmacro %}

{#- A condition that keeps the rows of `years` (patents_new_years), written with literals: a
    range on the date column that the scan can check against each row group's minimum and
    maximum (patents arrive by year, so the row groups of the years already built are skipped
    without being read), and the exact years. A condition on a subquery of the new years
    would read every patent. -#}
{% macro patents_year_filter(years, date_column='application_date') %}
    {%- if years | length == 0 -%}
        false
    {%- else -%}
        {{ date_column }} >= date '{{ years | min }}-01-01'
        and {{ date_column }} < date '{{ (years | max) + 1 }}-01-01'
        and year({{ date_column }}) in ({{ years | join(', ') }})
    {%- endif %}
{% endmacro %}
