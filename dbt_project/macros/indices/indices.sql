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


{#-
    Co-agglomeration of manufacturing and producer services (docs block coagglomeration) for
    every region-year of a long indicator relation (`region_code`, `year`, `indicator_code`,
    `value`, `is_imputed`), as a subquery: one row per region-year with complete employment,
    with the location quotients and both co-agglomeration measures. The reference region of
    year t is the sum over the relation's regions complete that year (the yearbooks print no
    national figure for the same units). Shared by the city and the province marts.
-#}
{% macro coagglomeration_by_region(long_values) %}
    {%- set manufacturing = coagglomeration_manufacturing_indicator() %}
    {%- set total = coagglomeration_total_indicator() %}
    (
        with

        producer_services as (
            select * from {{ ref('ref_index_producer_services') }}
        ),

        flagged as (
            select
                long_values.*,
                producer_services.indicator_code is not null as is_producer_service
            from {{ long_values }} as long_values
            left join producer_services
                on long_values.indicator_code = producer_services.indicator_code
        ),

        region_years as (
            select
                region_code,
                year,
                any_value(value) filter (where indicator_code = '{{ total }}')
                    as employment_total,
                any_value(value) filter (where indicator_code = '{{ manufacturing }}')
                    as employment_manufacturing,
                {{ exact_sum('value', filter='is_producer_service') }}
                    as employment_producer_services,
                count(value) filter (where is_producer_service) as n_producer_services,
                coalesce(bool_or(is_imputed) filter (
                    where is_producer_service
                        or indicator_code in ('{{ total }}', '{{ manufacturing }}')
                ), false) as any_imputed
            from flagged
            group by region_code, year
        ),

        complete as (
            select * from region_years
            where employment_total > 0
                and employment_manufacturing is not null
                and n_producer_services = (select count(*) from producer_services)
        ),

        reference as (
            select
                year,
                {{ exact_sum('employment_total') }} as reference_total,
                {{ exact_sum('employment_manufacturing') }} as reference_manufacturing,
                {{ exact_sum('employment_producer_services') }} as reference_producer_services,
                count(*) as reference_regions
            from complete
            group by year
        ),

        quotients as (
            select
                complete.*,
                reference.reference_regions,
                (complete.employment_manufacturing / complete.employment_total)
                    / nullif(reference.reference_manufacturing / reference.reference_total, 0)
                    as lq_manufacturing,
                (complete.employment_producer_services / complete.employment_total)
                    / nullif(
                        reference.reference_producer_services / reference.reference_total, 0
                    ) as lq_producer_services
            from complete
            inner join reference
                on complete.year = reference.year
        )

        select
            *,
            case
                when lq_manufacturing + lq_producer_services > 0
                    then 1 - abs(lq_manufacturing - lq_producer_services)
                        / (lq_manufacturing + lq_producer_services)
            end as coagglomeration_quality,
            case
                when lq_manufacturing + lq_producer_services > 0
                    then 1 - abs(lq_manufacturing - lq_producer_services)
                        / (lq_manufacturing + lq_producer_services)
                        + (lq_manufacturing + lq_producer_services)
            end as coagglomeration
        from quotients
    )
{% endmacro %}
