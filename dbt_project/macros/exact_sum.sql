{#-
    Sum of a DOUBLE expression that does not depend on the order of the rows: each term is
    rounded to 1e-18 and added exactly as DECIMAL(38, 18), then cast back to DOUBLE. DuckDB
    adds doubles in whatever order its threads deliver rows, so a plain sum() can differ in
    the last bits between two builds of the same data, and a rebuild would not reproduce its
    marts and estimates bit for bit. For sums whose terms lie well within +-1e20.
    `filter`: the condition of a FILTER (WHERE ...) clause; `over`: a window, e.g.
    "partition by year" or the name of a WINDOW clause.
-#}
{% macro exact_sum(expression, filter=none, over=none) -%}
    {{ return(adapter.dispatch('exact_sum', 'dri')(expression, filter, over)) }}
{%- endmacro %}

{% macro default__exact_sum(expression, filter, over) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, 18)))
        {%- if filter is not none %} filter (where {{ filter }}){% endif %}
        {%- if over is not none %} over ({{ over }}){% endif %}
        as double
    )
{%- endmacro %}

{#-
    Spark: the same DECIMAL(38, 18) sum (exact, so the same DOUBLE as DuckDB's); a named window
    is referenced as `over name`, without parentheses.
-#}
{% macro spark__exact_sum(expression, filter, over) -%}
    {%- set named_window = over is not none and modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', over) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, 18)))
        {%- if filter is not none %} filter (where {{ filter }}){% endif %}
        {%- if named_window %} over {{ over }}
        {%- elif over is not none %} over ({{ over }}){% endif %}
        as double
    )
{%- endmacro %}
