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
        cast(loaded_at as timestamp) as loaded_at,

        -- what the cell is, as printed
        cast(year as integer) as year,
        cast(region_name as varchar) as region_name,
        cast(indicator_name as varchar) as indicator_name,
        cast(unit as varchar) as unit_printed,
        cast(scope as varchar) as scope,

        -- what it means (matched on ingest)
        cast(region_code as varchar) as region_code,
        cast(region_level as varchar) as region_level,
        cast(region_match as varchar) as region_match,
        cast(indicator_code as varchar) as indicator_code,
        cast(source_preference as integer) as source_preference,

        -- the value, as printed and parsed, and in the indicator's canonical unit
        cast(value_text as varchar) as value_text,
        cast(value as double) as value_printed_unit,
        cast(value_canonical as double) as value_canonical,
        cast(canonical_unit as varchar) as canonical_unit

    from source

)

select * from renamed
