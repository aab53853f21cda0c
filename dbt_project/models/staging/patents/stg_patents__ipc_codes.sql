with

source as (

    select * from {{ source('patents', 'ipc_codes') }}

),

renamed as (

    select
        cast(ipc_code_id as bigint) as ipc_code_id,
        cast(ipc_code as {{ string_type() }}) as ipc_code,
        cast(section as {{ string_type() }}) as section,
        cast(class as {{ string_type() }}) as class,
        cast(subclass as {{ string_type() }}) as subclass,
        cast(main_group as integer) as main_group,
        cast(subgroup as {{ string_type() }}) as subgroup

    from source

)

select * from renamed
