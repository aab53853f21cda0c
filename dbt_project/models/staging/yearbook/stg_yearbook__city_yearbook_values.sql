with

source as (

    select * from {{ source('yearbook', 'city_yearbook_values') }}

),

renamed as (

    select
        -- provenance
        cast(source_file as varchar) as source_file,
        cast(source_sha256 as varchar) as source_sha256,
        cast(sheet as varchar) as sheet_name,
        cast(source_row as bigint) as source_row,
        cast(source_col as bigint) as source_col,

        -- what the cell is
        cast(year as integer) as year,
        cast(region_name as varchar) as region_name,
        cast(indicator_name as varchar) as indicator_name,
        cast(unit as varchar) as unit_printed,
        cast(scope as varchar) as scope,

        -- the value, as printed and parsed (still in the printed unit)
        cast(value_text as varchar) as value_text,
        cast(value as double) as value_printed_unit

    from source

)

select * from renamed
