-- Cities whose side of the Hu Huanyong line is not in doubt (each is more than 80 km from the
-- line, and every description of the line agrees): a row here is a city on the wrong side or
-- missing. The sides were written down from geography, not copied from dim_regions.

with

known (region_code, city, expected_side) as (

    values
        ('110000', '北京市', 'southeast'),
        ('310000', '上海市', 'southeast'),
        ('500000', '重庆市', 'southeast'),
        ('440100', '广州市', 'southeast'),
        ('510100', '成都市', 'southeast'),
        ('610100', '西安市', 'southeast'),
        ('140100', '太原市', 'southeast'),
        ('530100', '昆明市', 'southeast'),
        ('230100', '哈尔滨市', 'southeast'),
        ('540100', '拉萨市', 'northwest'),
        ('650100', '乌鲁木齐市', 'northwest'),
        ('630100', '西宁市', 'northwest'),
        ('640100', '银川市', 'northwest'),
        ('620100', '兰州市', 'northwest'),
        ('650200', '克拉玛依市', 'northwest'),
        ('653100', '喀什地区', 'northwest')

),

regions as (

    select * from {{ ref('dim_regions') }}

)

select
    known.region_code,
    known.city,
    known.expected_side,
    regions.region_name,
    regions.hu_side,
    regions.hu_distance_km
from known
left join regions
    on known.region_code = regions.region_code
where regions.hu_side is distinct from known.expected_side
    or regions.region_name is distinct from known.city
