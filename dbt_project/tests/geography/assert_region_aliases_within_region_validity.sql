-- Every alias must point to a region of its level (dim_regions), and an alias of a
-- prefecture-level unit may only be valid in years in which the unit exists. Returns the
-- offending aliases.
-- Shown in Dagster as an asset check of ref_region_aliases: the test reads several models, so
-- its config names the one it guards (dagster-dbt's meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'ref_region_aliases'}}}) }}

with

aliases as (

    select * from {{ ref('ref_region_aliases') }}

),

regions as (

    select * from {{ ref('dim_regions') }}

),

joined as (

    select
        aliases.alias,
        aliases.code,
        aliases.level,
        aliases.valid_from,
        aliases.valid_to,
        regions.region_code is not null as region_exists,
        case aliases.level
            when 'national' then regions.level = 'national'
            when 'province' then regions.is_province_level
            when 'prefecture' then regions.is_prefecture_level
        end as level_matches,
        coalesce(aliases.valid_from, 0) >= coalesce(regions.valid_from, 0)
            and coalesce(aliases.valid_to, 9999) <= coalesce(regions.valid_to, 9999)
            as within_region_validity
    from aliases
    left join regions
        on aliases.code = regions.region_code

)

select * from joined
where not (region_exists and level_matches and within_region_validity)
