{#-
    Rows of a gap-filled long model that break the interpolation rule (tests/panels/
    assert_*_interpolated_values_lie_between_their_neighbours.sql, one test per panel so each
    is a Dagster asset check of its own model): an interpolated value lies between the two
    observed values it was made from (which must exist, be observed and bracket its year); an
    observed value equals what was reported; a filled value has no reported value that year.

    model:           the gap-filled model (e.g. int_city_indicators_interpolated)
    unit_column:     its unit key column
    reported_model:  the model of reported values it was filled from
    reported_unit:   that model's unit key column
    reported_filter: SQL condition selecting the reported rows the panel uses
-#}
{% macro interpolation_violations(model, unit_column, reported_model, reported_unit, reported_filter) %}
select
    '{{ model }}' as model,
    filled.{{ unit_column }} as unit_code,
    filled.indicator_code,
    filled.year,
    filled.imputation,
    filled.value
from {{ ref(model) }} as filled
left join (select * from {{ ref(reported_model) }} where {{ reported_filter }}) as before_it
    on filled.{{ unit_column }} = before_it.{{ reported_unit }}
    and filled.indicator_code = before_it.indicator_code
    and filled.source_year_before = before_it.year
left join (select * from {{ ref(reported_model) }} where {{ reported_filter }}) as after_it
    on filled.{{ unit_column }} = after_it.{{ reported_unit }}
    and filled.indicator_code = after_it.indicator_code
    and filled.source_year_after = after_it.year
left join (select * from {{ ref(reported_model) }} where {{ reported_filter }}) as same_year
    on filled.{{ unit_column }} = same_year.{{ reported_unit }}
    and filled.indicator_code = same_year.indicator_code
    and filled.year = same_year.year
where
    (filled.imputation = 'interpolated' and not coalesce(
        filled.source_year_before < filled.year
        and filled.year < filled.source_year_after
        and filled.value between least(before_it.value, after_it.value) - 1e-9 * abs(before_it.value)
            and greatest(before_it.value, after_it.value) + 1e-9 * abs(after_it.value)
        and same_year.value is null,
        false))
    or (filled.imputation = 'observed' and filled.value is distinct from same_year.value)
    or (filled.imputation <> 'observed' and same_year.value is not null)
{% endmacro %}
