{#-
    Unit conversion in one place. Every unit the warehouse reads or writes is listed in
    `unit_table` with its dimension and its multiplier to the dimension's base unit, so a
    conversion is always "value * multiplier(from) / multiplier(to)" and never hand-typed
    arithmetic in a model. Add a unit here before using it anywhere.
-#}

{% macro unit_table() %}
    {{ return({
        '元':   {'dimension': 'currency', 'to_base': 1},
        '万元': {'dimension': 'currency', 'to_base': 10000},
        '亿元': {'dimension': 'currency', 'to_base': 100000000},
        '人':   {'dimension': 'persons',  'to_base': 1},
        '万人': {'dimension': 'persons',  'to_base': 10000},
    }) }}
{% endmacro %}


{#- Multiplier from `from_unit` to `to_unit` as a SQL expression (compile time). -#}
{% macro unit_factor(from_unit, to_unit) %}
    {%- set units = unit_table() -%}
    {%- for unit in [from_unit, to_unit] if unit not in units -%}
        {{ exceptions.raise_compiler_error("convert_unit: unknown unit '" ~ unit ~ "'; add it to unit_table()") }}
    {%- endfor -%}
    {%- if units[from_unit]['dimension'] != units[to_unit]['dimension'] -%}
        {{ exceptions.raise_compiler_error("convert_unit: cannot convert " ~ from_unit ~ " to " ~ to_unit) }}
    {%- endif -%}
    ({{ units[from_unit]['to_base'] }}::double / {{ units[to_unit]['to_base'] }}::double)
{%- endmacro %}


{#-
    Scaling to a larger unit divides by the (exact, integer) ratio instead of multiplying by
    its inexact binary reciprocal: 12345 万元 * 0.0001 = 1.2345000000000002 亿元, but
    12345 / 10000 = 1.2345. Division is correctly rounded; about a third of products are not.
-#}

{#- Convert a SQL expression between two units known at compile time, e.g. 亿元 -> 元. -#}
{% macro convert_unit(expression, from_unit, to_unit) -%}
    {%- set units = unit_table() -%}
    {%- set _ = unit_factor(from_unit, to_unit) -%}  {#- validates the pair -#}
    {%- set from_base = units[from_unit]['to_base'] -%}
    {%- set to_base = units[to_unit]['to_base'] -%}
    {%- if from_base >= to_base -%}
        (({{ expression }}) * {{ from_base // to_base }}::double)
    {%- else -%}
        (({{ expression }}) / {{ to_base // from_base }}::double)
    {%- endif -%}
{%- endmacro %}


{#-
    Convert with a factor read from data (ref_indicators.factor_to_canonical), for models
    where the unit differs by row. The seed's factors are tested against unit_table() by
    tests/assert_indicator_factors_match_unit_table.sql. A factor below 1 is applied as a
    division by its reciprocal (1 / 0.0001 is exactly 10000.0 in double precision).
-#}
{% macro convert_unit_by_factor(expression, factor_expression) -%}
    case
        when ({{ factor_expression }}) < 1
            then ({{ expression }}) / (1::double / ({{ factor_expression }}))
        else ({{ expression }}) * ({{ factor_expression }})
    end
{%- endmacro %}


{#- SQL CASE giving the unit_table() factor for two unit columns (NULL when unknown or incompatible). -#}
{% macro unit_factor_case(from_unit_column, to_unit_column) -%}
    {%- set units = unit_table() -%}
    case
    {%- for from_unit, f in units.items() %}
        {%- for to_unit, t in units.items() if f['dimension'] == t['dimension'] %}
        when {{ from_unit_column }} = '{{ from_unit }}' and {{ to_unit_column }} = '{{ to_unit }}'
            then {{ unit_factor(from_unit, to_unit) }}
        {%- endfor %}
    {%- endfor %}
    end
{%- endmacro %}
