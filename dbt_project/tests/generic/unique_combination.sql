{#-
    Model-level uniqueness of a column combination (the grain of a panel or a long table).
    Fails with one row per duplicated key, with how often it occurs.
-#}
{% test unique_combination(model, combination_of_columns) %}

    {%- set columns_csv = combination_of_columns | join(', ') %}

    select
        {{ columns_csv }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

{% endtest %}
