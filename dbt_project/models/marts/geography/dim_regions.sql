-- One row per region code: the national total, the provinces, and every prefecture-level unit
-- (including the municipalities) that existed at a year-end in 2010-2024, with its names,
-- province, NBS and three-way region groups, side of the Hu Huanyong line and validity years.

{%- set northeast = var('region3_northeast') %}
{%- if northeast not in ['split', 'east', 'central'] %}
    {{ exceptions.raise_compiler_error(
        "var region3_northeast must be split, east or central, not '" ~ northeast ~ "'") }}
{%- endif %}

with

regions as (

    select * from {{ ref('int_regions_unioned') }}

),

hu_line as (

    select * from {{ ref('int_regions_hu_line_classified') }}

),

provinces as (

    select * from {{ ref('ref_provinces') }}

),

changes as (

    select * from {{ ref('ref_admin_changes') }}

),

change_sides as (

    select old_code as region_code, year, change_type, 'old' as side
    from changes
    where old_code is not null
    union all
    select new_code as region_code, year, change_type, 'new' as side
    from changes

),

changes_by_region as (

    select
        region_code,
        {{ string_agg_distinct_sorted('cast(year as ' ~ string_type() ~ ')', "', '") }}
            as admin_change_years,
        -- a conversion 地区 -> 市 or a renaming keeps the territory; the rest move it
        bool_or(change_type in ('created', 'abolished', 'merged')) as territory_changed
    from change_sides
    group by region_code

),

conversions as (

    select old_code, new_code
    from changes
    where change_type = 'prefecture_to_city'

),

region_groups as (

    select
        province_code,
        short_name as province_short_name,
        province_name,
        region4,
        region4_zh,
        {%- if northeast == 'split' %}
        region3
        {%- else %}
        case when region4 = 'northeast' then '{{ northeast }}' else region3 end as region3
        {%- endif %}
    from provinces

),

final as (

    select
        regions.region_code,
        regions.region_name,
        regions.short_name,
        regions.name_en,
        regions.level,
        regions.unit_type,
        regions.is_province_level,
        regions.is_prefecture_level,
        regions.province_code,
        region_groups.province_name,
        region_groups.province_short_name,
        region_groups.region4,
        region_groups.region4_zh,
        region_groups.region3,
        case region_groups.region3
            when 'east' then '东部'
            when 'central' then '中部'
            when 'west' then '西部'
        end as region3_zh,
        regions.longitude,
        regions.latitude,
        -- provinces straddle the line: only units with a seat are classified
        case when regions.is_prefecture_level then hu_line.hu_distance_km end as hu_distance_km,
        case when regions.is_prefecture_level then hu_line.hu_side end as hu_side,
        regions.valid_from,
        regions.valid_to,
        case
            when conversions.new_code is not null then conversions.new_code
            when regions.valid_to is null then regions.region_code
        end as current_code,
        changes_by_region.admin_change_years,
        coalesce(changes_by_region.territory_changed, false) as territory_changed
    from regions
    left join region_groups
        on regions.province_code = region_groups.province_code
    left join hu_line
        on regions.region_code = hu_line.region_code
    left join conversions
        on regions.region_code = conversions.old_code
    left join changes_by_region
        on regions.region_code = changes_by_region.region_code

)

select * from final
