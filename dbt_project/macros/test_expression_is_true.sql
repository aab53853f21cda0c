{#-
    Model-level row condition: fails with every row for which `expression` is not true (a
    NULL result fails too, so write the NULL cases into the expression). The same contract as
    dbt_utils.expression_is_true, which the project cannot install (no `dbt deps`).
-#}
{% test expression_is_true(model, expression) %}

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

{% endtest %}
