with

source as (

    select * from {{ source('patents', 'patents') }}

),

renamed as (

    select
        -- ids
        cast(application_number as varchar) as application_number,
        cast(patent_key as bigint) as patent_key,

        -- dates
        cast(application_date as date) as application_date,
        cast(publication_date as date) as publication_date,

        -- patent type: as printed, and as a code the models can filter on
        cast(patent_type as varchar) as patent_type,
        case cast(patent_type as varchar)
            when '发明' then 'invention'
            when '实用新型' then 'utility_model'
            when '外观设计' then 'design'
        end as patent_type_code,

        -- text
        cast(title as varchar) as title,
        cast(applicant as varchar) as applicant,
        cast(applicant_address as varchar) as applicant_address,
        cast(applicant_region_code as varchar) as applicant_region_code,
        cast(abstract as varchar) as abstract,

        -- classification, as printed (its pieces normalized at ingest: stg_patents__ipc_pieces)
        cast(main_ipc as varchar) as main_ipc,
        cast(ipc_codes as varchar) as ipc_codes,

        -- provenance
        cast(source_file as varchar) as source_file,
        cast(source_sha256 as varchar) as source_sha256,
        cast(sheet as varchar) as sheet_name,
        cast(source_row as bigint) as source_row,
        cast(source_col as bigint) as source_col

    from source

)

select * from renamed
