with

source as (

    select * from {{ source('patents', 'patents') }}

),

renamed as (

    select
        -- ids
        cast(application_number as {{ string_type() }}) as application_number,
        cast(patent_key as bigint) as patent_key,

        -- dates
        cast(application_date as date) as application_date,
        cast(publication_date as date) as publication_date,

        -- patent type: as printed, and as a code the models can filter on
        cast(patent_type as {{ string_type() }}) as patent_type,
        case cast(patent_type as {{ string_type() }})
            when '发明' then 'invention'
            when '实用新型' then 'utility_model'
            when '外观设计' then 'design'
        end as patent_type_code,

        -- text
        cast(title as {{ string_type() }}) as title,
        cast(applicant as {{ string_type() }}) as applicant,
        cast(applicant_address as {{ string_type() }}) as applicant_address,
        cast(applicant_region_code as {{ string_type() }}) as applicant_region_code,
        cast(abstract as {{ string_type() }}) as abstract,

        -- classification, as printed (its pieces normalized at ingest: stg_patents__ipc_pieces)
        cast(main_ipc as {{ string_type() }}) as main_ipc,
        cast(ipc_codes as {{ string_type() }}) as ipc_codes,

        -- provenance
        cast(source_file as {{ string_type() }}) as source_file,
        cast(source_sha256 as {{ string_type() }}) as source_sha256,
        cast(sheet as {{ string_type() }}) as sheet_name,
        cast(source_row as bigint) as source_row,
        cast(source_col as bigint) as source_col

    from source

)

select * from renamed
