with

source as (

    select * from {{ source('definitions', 'providers') }}

),

final as (

    select
        provider_id,
        name as provider_name,
        sector,
        submission_format,
        language,
        name_sv as provider_name_sv

    from source

)

select * from final
