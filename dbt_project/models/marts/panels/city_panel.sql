with

indicators as (

    select * from {{ ref('int_city_indicators_converted') }}

),

patent_counts as (

    select * from {{ ref('int_city_patent_counts') }}

),

cities as (

    select * from {{ ref('ref_cities') }}

),

yearbook_wide as (

    -- the panel's rows: every city x year the yearbook has at least one catalogue value for
    select
        city_code,
        year,
        any_value(value) filter (where indicator_code = 'gdp') as gdp,
        any_value(value) filter (where indicator_code = 'population') as population,
        any_value(value) filter (where indicator_code = 'fiscal_expenditure')
            as fiscal_expenditure,
        any_value(value) filter (where indicator_code = 'sei_revenue') as sei_revenue
    from indicators
    group by city_code, year

),

joined as (

    select
        yearbook_wide.city_code,
        cities.city_name,
        cities.province_name,
        yearbook_wide.year,
        yearbook_wide.gdp,
        yearbook_wide.population,
        yearbook_wide.fiscal_expenditure,
        yearbook_wide.sei_revenue,
        -- a city-year with no located patent has zero patents, not unknown
        coalesce(patent_counts.patents, 0) as patents,
        coalesce(patent_counts.invention_patents, 0) as invention_patents,
        coalesce(patent_counts.digital_patents, 0) as digital_patents,
        coalesce(patent_counts.digital_invention_patents, 0) as digital_invention_patents,
        coalesce(patent_counts.integrated_patents, 0) as integrated_patents
    from yearbook_wide
    inner join cities
        on yearbook_wide.city_code = cities.city_code
    left join patent_counts
        on yearbook_wide.city_code = patent_counts.city_code
        and yearbook_wide.year = patent_counts.application_year

),

final as (

    select
        cast(city_code as varchar) as city_code,
        cast(city_name as varchar) as city_name,
        cast(province_name as varchar) as province_name,
        cast(year as integer) as year,
        cast(gdp as double) as gdp,
        cast(population as double) as population,
        cast(fiscal_expenditure as double) as fiscal_expenditure,
        cast(sei_revenue as double) as sei_revenue,
        cast(patents as bigint) as patents,
        cast(invention_patents as bigint) as invention_patents,
        cast(digital_patents as bigint) as digital_patents,
        cast(digital_invention_patents as bigint) as digital_invention_patents,
        cast(integrated_patents as bigint) as integrated_patents,

        -- digital-real integration index (skeleton definition, see docs block dri_index)
        case
            when patents > 0 then cast(integrated_patents as double) / patents
        end as dri_index,

        -- logs are NULL, not -inf / NaN, where the argument is not positive
        cast(case when sei_revenue > 0 then ln(sei_revenue) end as double) as ln_sei_revenue,
        cast(ln(1 + digital_invention_patents) as double) as ln_digital_invention,
        cast(
            case
                when gdp > 0 and population > 0
                    then ln(
                        {{ convert_unit('gdp', '亿元', '元') }}
                        / {{ convert_unit('population', '万人', '人') }}
                    )
            end as double
        ) as ln_pgdp,
        cast(fiscal_expenditure / nullif(gdp, 0) as double) as gov,
        cast(case when population > 0 then ln(population) end as double) as ln_population
    from joined

)

select * from final
