-- One row per region code at every level the warehouse uses: the national total, the 27
-- provinces and autonomous regions, and the 349 prefecture-level units of 2010-2024 including
-- the 4 municipalities. A municipality is a province-level and a prefecture-level unit under one
-- code (110000), so it is listed once, from the divisions, with both flags set.

with

provinces as (

    select * from {{ ref('ref_provinces') }}

),

divisions as (

    select * from {{ ref('ref_admin_divisions') }}

),

national as (

    -- 100000 is the code the AMap/DataV boundaries use for China; the aliases seed maps 全国 to it
    select
        '100000' as region_code,
        '全国' as region_name,
        '全国' as short_name,
        'China' as name_en,
        'national' as level,
        'national' as unit_type,
        false as is_province_level,
        false as is_prefecture_level,
        cast(null as {{ string_type() }}) as province_code,
        cast(null as double) as longitude,
        cast(null as double) as latitude,
        cast(null as integer) as valid_from,
        cast(null as integer) as valid_to

),

province_rows as (

    select
        province_code as region_code,
        province_name as region_name,
        short_name,
        name_en,
        'province' as level,
        province_type as unit_type,
        true as is_province_level,
        false as is_prefecture_level,
        province_code,
        longitude,
        latitude,
        cast(null as integer) as valid_from,
        cast(null as integer) as valid_to
    from provinces
    where province_type <> 'municipality'

),

division_rows as (

    select
        divisions.code as region_code,
        divisions.name as region_name,
        divisions.short_name,
        case when divisions.unit_type = 'municipality' then provinces.name_en end as name_en,
        case
            when divisions.unit_type = 'municipality' then 'municipality'
            else 'prefecture'
        end as level,
        divisions.unit_type,
        divisions.unit_type = 'municipality' as is_province_level,
        true as is_prefecture_level,
        divisions.province_code,
        divisions.longitude,
        divisions.latitude,
        divisions.valid_from,
        divisions.valid_to
    from divisions
    inner join provinces
        on divisions.province_code = provinces.province_code

),

unioned as (

    select * from national
    {{ union_all_by_name() }}
    select * from province_rows
    {{ union_all_by_name() }}
    select * from division_rows

)

select * from unioned
