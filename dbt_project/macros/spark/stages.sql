{#- Spark stages: CTEs of a model built as tables before the model (Spark only).

    Spark has no MATERIALIZED for a CTE: its optimizer inlines every deterministic CTE
    wherever it is read, so a CTE that several others read (a join, a regular expression over
    every patent) is planned and computed once per reader. A model with such CTEs keeps its
    body in a macro with an `output` argument (the CTE the query returns; 'final' for the model
    itself). On Spark the CTEs listed here for that macro are tables, each a model under
    models/spark/ that renders the macro with `output` = that CTE, and every later CTE reads
    the table instead (`spark_staged`). On DuckDB (which materializes a CTE read twice) the
    lists are empty, so the text rendered is the model's own and `dbt compile` on the DuckDB
    target is unchanged.

    spark_stages(body): {CTE: model that holds it} for the body macro `body`, in build order.
    spark_staged(body, output): the stages the rendering with `output` reads as tables: all of
    them for the model itself, those before `output` for a stage model. -#}
{% macro spark_stages(body) -%}
    {{ return(adapter.dispatch('spark_stages', 'dri')(body)) }}
{%- endmacro %}
{% macro default__spark_stages(body) %}{{ return({}) }}{% endmacro %}
{% macro spark__spark_stages(body) -%}
    {%- set stages = {
        'patents_located': {
            'addresses': 'int_patents_located_addresses',
            'matches_raw': 'int_patents_located_candidates',
            'matches': 'int_patents_located_matches',
            'addresses_located': 'int_patents_located_heads',
        },
        'dri_index_components': {
            'patent_subclasses': 'int_dri_index_patent_subclasses',
        },
    } -%}
    {{ return(stages.get(body, {})) }}
{%- endmacro %}

{% macro spark_staged(body, output) -%}
    {%- set stages = spark_stages(body) -%}
    {%- set names = stages.keys() | list -%}
    {%- set before = names[:names.index(output)] if output in names else names -%}
    {%- set staged = {} -%}
    {%- for name in before %}{% do staged.update({name: stages[name]}) %}{% endfor -%}
    {{ return(staged) }}
{%- endmacro %}
