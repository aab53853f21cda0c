{#- The body of the model dri_index_components (its header comment says what it computes),
    as a macro so that Spark can build its CTE patent_subclasses as a table first
    (macros/spark/stages.sql): that CTE joins the integrated patents to their codes and is
    read four times (digital and real sides, links, field counts), and Spark inlines it in
    each, joining patents and codes four times over (17-22 s of the demo's Spark build).
    `output`: the CTE the query returns ('final' for the model, 'patent_subclasses' for the
    stage model models/spark/index/int_dri_index_patent_subclasses). On DuckDB nothing is
    staged and the text rendered is the one the model always had. -#}
{% macro dri_index_components(output='final') -%}
{%- set staged = spark_staged('dri_index_components', output) -%}
with

city_years as (

    select * from {{ ref('int_city_patent_counts') }}

),

integrated as (

    -- patent_key: the integer surrogate key of stg_patents__patents, cheaper to join on than
    -- the application number at national scale
    select patent_key, city_code, application_year
    from {{ ref('int_patents_classified') }}
    where is_integrated and city_code is not null

),

codes as (

    select patent_key, subclass, is_digital_code
    from {{ ref('int_patent_ipc_keys_classified') }}

),

patent_subclasses as ({% if 'patent_subclasses' in staged %}select * from {{ ref(staged['patent_subclasses']) }}{% else %}

    -- a subclass can sit on both sides: G06F 17/30 is a digital code, G06F 16/27 a real one,
    -- so the nodes of the network are (subclass, side)
    select distinct
        integrated.patent_key,
        integrated.city_code,
        integrated.application_year,
        codes.subclass,
        codes.is_digital_code
    from integrated
    inner join codes
        on integrated.patent_key = codes.patent_key
{% endif %}
),

digital_side as (

    select * from patent_subclasses
    where is_digital_code

),

real_side as (

    select * from patent_subclasses
    where not is_digital_code

),

links as (

    select distinct
        digital_side.city_code,
        digital_side.application_year,
        digital_side.subclass as digital_subclass,
        real_side.subclass as real_subclass
    from digital_side
    inner join real_side
        on digital_side.patent_key = real_side.patent_key

),

network as (

    select
        city_code,
        application_year,
        count(*) as digital_real_links
    from links
    group by city_code, application_year

),

digital_fields as (

    select
        city_code,
        application_year,
        count(distinct subclass) as digital_subclasses
    from digital_side
    group by city_code, application_year

),

real_field_counts as (

    select
        city_code,
        application_year,
        subclass,
        count(*) as n_patents
    from real_side
    group by city_code, application_year, subclass

),

real_fields as (

    select
        city_code,
        application_year,
        count(*) as real_subclasses,
        -- Shannon diversity; 0 - x so that a single field gives +0.0; summed in a fixed order
        -- so that a rebuild reproduces it bit for bit
        0.0 - {{ ordered_sum('q * ln(q)', 'subclass') }} as real_field_diversity
    from (
        select
            *,
            n_patents / sum(n_patents) over (partition by city_code, application_year) as q
        from real_field_counts
    )
    group by city_code, application_year

),

national as (

    -- the reference "nation" of a year: every located patent of the extract
    select
        application_year,
        sum(patents) as national_patents,
        sum(integrated_patents) as national_integrated_patents
    from city_years
    group by application_year

),

first_year as (

    select min(application_year) as application_year
    from city_years

),

joined as (

    select
        city_years.city_code,
        city_years.application_year,
        city_years.patents,
        city_years.invention_patents,
        city_years.digital_patents,
        city_years.digital_invention_patents,
        city_years.integrated_patents,
        city_years.application_year = first_year.application_year as is_first_year,
        -- no row in t - 1 within the extract means no located patent then: K_{t-1} = 0
        coalesce(previous.integrated_patents, 0) as integrated_patents_previous,
        national.national_patents,
        national.national_integrated_patents,
        coalesce(digital_fields.digital_subclasses, 0) as digital_subclasses,
        coalesce(real_fields.real_subclasses, 0) as real_subclasses,
        coalesce(real_fields.real_field_diversity, 0) as real_field_diversity,
        coalesce(network.digital_real_links, 0) as digital_real_links
    from city_years
    cross join first_year
    inner join national
        on city_years.application_year = national.application_year
    left join city_years as previous
        on city_years.city_code = previous.city_code
        and city_years.application_year - 1 = previous.application_year
    left join digital_fields
        on city_years.city_code = digital_fields.city_code
        and city_years.application_year = digital_fields.application_year
    left join real_fields
        on city_years.city_code = real_fields.city_code
        and city_years.application_year = real_fields.application_year
    left join network
        on city_years.city_code = network.city_code
        and city_years.application_year = network.application_year

),

final as (

    select
        *,
        ln(1 + integrated_patents) as ln_integrated_patents,
        ln(1 + digital_invention_patents) as ln_digital_invention_patents,
        integrated_patents / patents as integrated_share,
        case
            when is_first_year then 0.0
            else ln(1 + integrated_patents) - ln(1 + integrated_patents_previous)
        end as integration_growth,
        real_subclasses as real_field_breadth,
        case
            when national_integrated_patents > 0
                then (integrated_patents / patents)
                / (national_integrated_patents / national_patents)
            else 0.0
        end as location_quotient,
        case
            when national_integrated_patents > 0
                then integrated_patents / national_integrated_patents
            else 0.0
        end as national_share,
        case
            when digital_real_links > 0
                then digital_real_links / (digital_subclasses * real_subclasses)
            else 0.0
        end as link_density
    from joined

)
{% if output != 'final' %}
select * from {{ output }}{% else %}
select
    cast(city_code as {{ string_type() }}) as city_code,
    cast(application_year as integer) as year,
    cast(patents as bigint) as patents,
    cast(invention_patents as bigint) as invention_patents,
    cast(digital_patents as bigint) as digital_patents,
    cast(digital_invention_patents as bigint) as digital_invention_patents,
    cast(integrated_patents as bigint) as integrated_patents,
    cast(ln_integrated_patents as double) as ln_integrated_patents,
    cast(ln_digital_invention_patents as double) as ln_digital_invention_patents,
    cast(integrated_patents_previous as bigint) as integrated_patents_previous,
    cast(is_first_year as boolean) as is_first_year,
    cast(national_patents as bigint) as national_patents,
    cast(national_integrated_patents as bigint) as national_integrated_patents,
    cast(digital_subclasses as bigint) as digital_subclasses,
    cast(real_subclasses as bigint) as real_subclasses,
    cast(integrated_share as double) as integrated_share,
    cast(integration_growth as double) as integration_growth,
    cast(real_field_breadth as double) as real_field_breadth,
    cast(real_field_diversity as double) as real_field_diversity,
    cast(location_quotient as double) as location_quotient,
    cast(national_share as double) as national_share,
    cast(digital_real_links as double) as digital_real_links,
    cast(link_density as double) as link_density
from final
{%- endif %}
{%- endmacro %}
