with

source as (

    select * from {{ source('definitions', 'package_instruments') }}

),

final as (

    select
        upper(package_code) as package_code,
        upper(instrument) as instrument

    from source

)

select * from final
