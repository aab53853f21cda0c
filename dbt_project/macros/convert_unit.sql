{#-
    Unit conversion in one place. The unit table is the seed `ref_units`
    (seeds/ref_units.csv), which orchestration/ingest/units.py reads too: every unit with its
    dimension and its size in the dimension's base unit, so a conversion is always
    "value * to_base(from) / to_base(to)" and never hand-typed arithmetic in a model.

    Row-wise conversions (units that differ by row) join the seed and call
    `convert_unit_by_base`. Conversions between two units known when the model is written
    (e.g. 亿元 -> 元 in a mart formula) use `convert_unit`, which needs the factor at compile
    time and so reads `unit_table()`, a compile-time copy of the seed rows it needs. The copy
    is checked against the seed by tests/assert_unit_macro_matches_ref_units.sql (dbt) and
    tests/unit/test_ingest_units.py (Python); add a unit to the seed first.
-#}

{% macro unit_table() %}
    {{ return({
        '元':   {'dimension': 'currency_cny', 'to_base': 1},
        '万元': {'dimension': 'currency_cny', 'to_base': 10000},
        '亿元': {'dimension': 'currency_cny', 'to_base': 100000000},
        '人':   {'dimension': 'persons', 'to_base': 1},
        '万人': {'dimension': 'persons', 'to_base': 10000},
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
    Convert row-wise, given the two units' sizes in their base unit (ref_units.to_base of
    the printed and of the target unit; the caller joins the seed and checks that the
    dimensions agree). As in convert_unit and in orchestration/ingest/units.py, an integral
    ratio multiplies and the inverse of an integral ratio divides; only a ratio that is
    neither (none in the seed today) multiplies by the double quotient.
-#}
{% macro convert_unit_by_base(expression, from_base, to_base) -%}
    {%- set up = '(' ~ from_base ~ ' / ' ~ to_base ~ ')' -%}
    {%- set down = '(' ~ to_base ~ ' / ' ~ from_base ~ ')' -%}
    case
        when {{ up }} >= 1 and abs({{ up }} - round({{ up }})) <= 1e-9 * {{ up }}
            then ({{ expression }}) * round({{ up }})
        when {{ down }} > 1 and abs({{ down }} - round({{ down }})) <= 1e-9 * {{ down }}
            then ({{ expression }}) / round({{ down }})
        else ({{ expression }}) * {{ up }}
    end
{%- endmacro %}


{#- The key a printed unit is matched on: no whitespace or surrounding brackets, lower case
    (units.unit_key in Python also folds full-width forms, which SQL cannot). -#}
{% macro unit_key(column) -%}
    nullif(lower(trim(regexp_replace({{ column }}, '\s', '', 'g'), '()（）[]【】')), '')
{%- endmacro %}


{#- unit_table() as rows (unit, dimension, to_base), for the test comparing it with the seed. -#}
{% macro unit_table_rows() -%}
    {%- set units = unit_table() -%}
    {%- for unit, u in units.items() %}
    select '{{ unit }}' as unit, '{{ u['dimension'] }}' as dimension, {{ u['to_base'] }}::double as to_base
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}
