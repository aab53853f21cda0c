{#-
    Column values lie in [min_value, max_value] (inclusive). NULLs pass: not_null is a separate
    test, and an index may be undefined (e.g. a share with a zero denominator).
-#}
{% test between(model, column_name, min_value, max_value) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and not ({{ column_name }} >= {{ min_value }} and {{ column_name }} <= {{ max_value }})

{% endtest %}
