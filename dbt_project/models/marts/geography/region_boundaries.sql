-- One row per region code of marts.dim_regions (national total, provinces, every prefecture-level
-- unit of 2010-2024) with the polygon it is drawn with: its own (ref_region_boundaries, 2020
-- boundaries), its successor's when only the name or the type changed (a 地区 turned 市), or none,
-- with the reason, when its territory has no polygon of its own in a 2020 map.

with

regions as (

    select * from {{ ref('dim_regions') }}

),

boundaries as (

    select * from {{ ref('ref_region_boundaries') }}

),

changes as (

    select * from {{ ref('ref_admin_changes') }}

),

-- the former code of a unit whose territory did not change takes the new code's polygon
same_territory as (

    select old_code, new_code, change_type, year
    from changes
    where change_type in ('prefecture_to_city', 'renamed') and old_code <> new_code

),

-- abolished or merged units: their territory went (wholly or in part) to other units
territory_gone as (

    select
        old_code,
        string_agg(distinct new_name, ', ' order by new_name) as successors,
        max(year) as year,
        max(change_type) as change_type
    from changes
    where change_type in ('abolished', 'merged')
    group by old_code

),

matched as (

    select
        regions.region_code,
        regions.region_name,
        regions.level,
        regions.province_code,
        regions.valid_from,
        regions.valid_to,
        case
            when regions.level = 'national' then null
            when same_territory.new_code is not null then same_territory.new_code
            else regions.region_code
        end as boundary_code,
        case
            when regions.level in ('province', 'municipality') then 'province'
            else 'prefecture'
        end as boundary_level,
        case
            when same_territory.new_code is not null
                then 'successor, same territory (' || same_territory.change_type || ' '
                    || cast(same_territory.year as varchar) || ')'
            else 'own'
        end as boundary_basis,
        territory_gone.successors,
        territory_gone.year as gone_year,
        territory_gone.change_type as gone_type
    from regions
    left join same_territory
        on regions.region_code = same_territory.old_code
    left join territory_gone
        on regions.region_code = territory_gone.old_code

),

final as (

    select
        matched.region_code,
        matched.region_name,
        matched.level,
        matched.province_code,
        matched.valid_from,
        matched.valid_to,
        case when boundaries.geometry_wkt is not null then matched.boundary_code end
            as boundary_code,
        case when boundaries.geometry_wkt is not null then matched.boundary_basis end
            as boundary_basis,
        case
            when boundaries.geometry_wkt is not null then null
            when matched.level = 'national' then 'national total: no polygon of its own (the union of the provinces)'
            when matched.successors is not null
                then matched.gone_type || ' in ' || cast(matched.gone_year as varchar)
                    || ' into ' || matched.successors
                    || '; the 2020 boundaries of the source have no polygon for its territory'
            else 'not in the boundary source'
        end as missing_reason,
        boundaries.area_km2,
        boundaries.geometry_wkt
    from matched
    left join boundaries
        on matched.boundary_code = boundaries.region_code
        and matched.boundary_level = boundaries.level

)

select * from final
