with

source as (

    select * from {{ source('definitions', 'providers') }}

),

final as (

    select
        provider_id,
        name as provider_name,
        sector,
        submission_format

    from source

)

select * from final
