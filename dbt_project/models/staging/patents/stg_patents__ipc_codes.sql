with

source as (

    select * from {{ source('patents', 'ipc_codes') }}

),

renamed as (

    select
        cast(ipc_code_id as bigint) as ipc_code_id,
        cast(ipc_code as varchar) as ipc_code,
        cast(section as varchar) as section,
        cast(class as varchar) as class,
        cast(subclass as varchar) as subclass,
        cast(main_group as integer) as main_group,
        cast(subgroup as varchar) as subgroup

    from source

)

select * from renamed
