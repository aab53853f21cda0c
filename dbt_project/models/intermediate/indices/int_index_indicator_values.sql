-- The indicators that index systems refer to, long: one row per level x region x year x
-- indicator. An indicator is either
--   * a base value (int_index_base_values: a catalogue indicator or a city patent count), or
--   * a derived indicator of the seed ref_index_indicators:
--         value = numerator / denominator * multiplier        (denominator given)
--         value = numerator * multiplier                     (no denominator)
--     with numerator and denominator base values of the same level, region and year; NULL
--     when either is NULL or the denominator is 0.
-- A derived indicator hides a base value of the same code and level (the seed wins).
-- is_imputed: true when a value it was made from was interpolated.

with

base as (

    select * from {{ ref('int_index_base_values') }}

),

definitions as (

    select * from {{ ref('ref_index_indicators') }}

),

derived as (

    select
        definitions.level,
        numerator.region_code,
        numerator.year,
        definitions.code as indicator_code,
        case
            when definitions.denominator is null
                then numerator.value * definitions.multiplier
            else numerator.value / nullif(denominator.value, 0) * definitions.multiplier
        end as value,
        coalesce(numerator.is_imputed, false) or coalesce(denominator.is_imputed, false)
            as is_imputed,
        'derived' as source
    from definitions
    inner join base as numerator
        on definitions.level = numerator.level
        and definitions.numerator = numerator.indicator_code
    left join base as denominator
        on definitions.level = denominator.level
        and definitions.denominator = denominator.indicator_code
        and numerator.region_code = denominator.region_code
        and numerator.year = denominator.year

),

base_kept as (

    select
        base.level,
        base.region_code,
        base.year,
        base.indicator_code,
        base.value,
        base.is_imputed,
        'base' as source
    from base
    anti join definitions
        on base.level = definitions.level
        and base.indicator_code = definitions.code

),

unioned as (

    select * from base_kept
    union all
    select * from derived

)

select
    cast(level as varchar) as level,
    cast(region_code as varchar) as region_code,
    cast(year as integer) as year,
    cast(indicator_code as varchar) as indicator_code,
    cast(value as double) as value,
    cast(is_imputed as boolean) as is_imputed,
    cast(source as varchar) as source
from unioned
