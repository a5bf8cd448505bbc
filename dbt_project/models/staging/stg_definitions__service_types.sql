with

source as (

    select * from {{ source('definitions', 'service_types') }}

),

final as (

    select
        upper(service_code) as service_code,
        lower(domain) as domain,
        name_fi,
        name_en

    from source

)

select * from final
