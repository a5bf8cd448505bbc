with

source as (

    select * from {{ source('definitions', 'packages') }}

),

final as (

    select
        upper(package_code) as package_code,
        name_fi,
        name_en,
        name_sv

    from source

)

select * from final
