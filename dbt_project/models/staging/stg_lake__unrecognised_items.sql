with

source as (

    select * from {{ source('lake', 'unrecognised') }}

),

final as (

    select
        -- ids
        cast(provider_id as varchar) as provider_id,
        cast(path as varchar) as path,

        -- what it is and what its name should be
        lower(cast(kind as varchar)) as kind,
        cast(message as varchar) as message,
        cast(message_json as varchar) as message_json,
        cast(found_at as timestamp) as found_at

    from source

)

select * from final
