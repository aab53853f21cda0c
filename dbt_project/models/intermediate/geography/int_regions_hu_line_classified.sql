-- Side of the Hu Huanyong line (胡焕庸线) for every region with coordinates, computed from the
-- coordinates, never typed by hand.
--
-- The line is the great circle through the seats of 黑河 and 腾冲 (dbt vars hu_line_heihe and
-- hu_line_tengchong). With unit vectors t (腾冲) and h (黑河), n = (t x h) / |t x h| is the
-- pole of that great circle, and for a point p the signed angular distance from the line is
-- asin(n . p): positive on the left of the direction 腾冲 -> 黑河, i.e. to the northwest. Hu drew
-- a straight line on a conic map; the great circle reproduces a straight line on a Lambert
-- conformal conic map of China for every unit of the seeds. A straight line in plate-carree
-- lon/lat would not: it bows south and puts 西安, 太原 and 成都 on the northwest side.

{%- set heihe = var('hu_line_heihe') %}
{%- set tengchong = var('hu_line_tengchong') %}

with

regions as (

    select
        region_code,
        longitude,
        latitude
    from {{ ref('int_regions_unioned') }}
    where longitude is not null and latitude is not null

),

endpoints as (

    select
        cos(radians({{ tengchong[1] }})) * cos(radians({{ tengchong[0] }})) as tx,
        cos(radians({{ tengchong[1] }})) * sin(radians({{ tengchong[0] }})) as ty,
        sin(radians({{ tengchong[1] }})) as tz,
        cos(radians({{ heihe[1] }})) * cos(radians({{ heihe[0] }})) as hx,
        cos(radians({{ heihe[1] }})) * sin(radians({{ heihe[0] }})) as hy,
        sin(radians({{ heihe[1] }})) as hz

),

pole as (

    select
        ty * hz - tz * hy as nx,
        tz * hx - tx * hz as ny,
        tx * hy - ty * hx as nz
    from endpoints

),

unit_pole as (

    select
        nx / sqrt(nx * nx + ny * ny + nz * nz) as nx,
        ny / sqrt(nx * nx + ny * ny + nz * nz) as ny,
        nz / sqrt(nx * nx + ny * ny + nz * nz) as nz
    from pole

),

located as (

    select
        regions.region_code,
        asin(
            unit_pole.nx * cos(radians(regions.latitude)) * cos(radians(regions.longitude))
            + unit_pole.ny * cos(radians(regions.latitude)) * sin(radians(regions.longitude))
            + unit_pole.nz * sin(radians(regions.latitude))
        ) * 6371.0088 as hu_distance_km
    from regions
    cross join unit_pole

),

classified as (

    select
        region_code,
        hu_distance_km,
        -- units on the line itself (黑河, whose seat is the endpoint) count as southeast
        case when hu_distance_km > 1.0 then 'northwest' else 'southeast' end as hu_side
    from located

)

select * from classified
