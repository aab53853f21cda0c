{#-
    Settings of the index models (models/intermediate/indices, models/marts/indices). Each is a
    dbt var with its default here, validated at compile time, so a run can change it
    (`dbt build --vars '{entropy_scope: year}'`) without editing a model. The formulas are in
    the docs blocks of models/docs/indices.md.
-#}

{#-
    Where the entropy method standardizes and weighs:
      `panel` (default): min-max over all region-years of the system's sample, one set of
        weights per system (the "global" entropy method: scores comparable across years);
      `year`: min-max, proportions, entropy and weights within each year (k = 1 / ln(regions
        in that year)), one set of weights per system and year.
-#}
{% macro entropy_scope() %}
    {%- set scope = var('entropy_scope', 'panel') -%}
    {%- if scope not in ['panel', 'year'] -%}
        {{ exceptions.raise_compiler_error(
            "var entropy_scope must be panel or year, not '" ~ scope ~ "'") }}
    {%- endif -%}
    {{ return(scope) }}
{% endmacro %}


{#-
    The shift added to every standardized value before the proportions are taken, so that
    p ln p is defined for the worst observation (x' = 0). 0.0001 is the usual choice.
-#}
{% macro entropy_shift() %}
    {%- set shift = var('entropy_shift', 0.0001) -%}
    {%- if shift is not number or shift < 0 or shift >= 1 -%}
        {{ exceptions.raise_compiler_error(
            "var entropy_shift must be a number in [0, 1), not '" ~ shift ~ "'") }}
    {%- endif -%}
    {{ return(shift) }}
{% endmacro %}


{#-
    The key that entropy standardization and weights are partitioned by (besides system and
    indicator): NULL for the whole panel, the year for within-year weighting.
-#}
{% macro entropy_weight_year(year_column) -%}
    {%- if entropy_scope() == 'year' -%}
        cast({{ year_column }} as integer)
    {%- else -%}
        cast(null as integer)
    {%- endif -%}
{%- endmacro %}


{#-
    Coupling coordination: T = alpha * U1 + beta * U2. alpha + beta must be 1 so that T (and
    D) stay in [0, 1].
-#}
{% macro coupling_weights() %}
    {%- set alpha = var('coupling_alpha', 0.5) -%}
    {%- set beta = var('coupling_beta', 0.5) -%}
    {%- if alpha is not number or beta is not number or alpha < 0 or beta < 0
        or (alpha + beta - 1) | abs > 1e-9 -%}
        {{ exceptions.raise_compiler_error(
            "vars coupling_alpha and coupling_beta must be non-negative and add up to 1, not "
            ~ alpha ~ " and " ~ beta) }}
    {%- endif -%}
    {{ return([alpha, beta]) }}
{% endmacro %}


{#-
    Co-agglomeration: the catalogue indicators of manufacturing employment and of total
    employment (the denominator of both location quotients). The producer-service industries
    are the rows of the seed ref_index_producer_services.
-#}
{% macro coagglomeration_manufacturing_indicator() %}
    {{ return(var('coagglomeration_manufacturing_indicator', 'employment_manufacturing')) }}
{% endmacro %}

{% macro coagglomeration_total_indicator() %}
    {{ return(var('coagglomeration_total_indicator', 'employment_total')) }}
{% endmacro %}


{#-
    The patent counts of intermediate.int_city_patent_counts that index systems and derived
    indicators can use as city indicators (by application year; 0 when a city-year has none).
-#}
{% macro index_patent_count_indicators() %}
    {{ return([
        'patents', 'invention_patents', 'digital_patents', 'digital_invention_patents',
        'integrated_patents',
    ]) }}
{% endmacro %}


{#- The city index system whose scores marts.city_indices carries as columns. -#}
{% macro city_indices_system() %}
    {{ return(var('city_indices_system', 'city_digital_economy')) }}
{% endmacro %}
