with

source as (

    select * from {{ source('definitions', 'segment_rules') }}

),

final as (

    select
        segment_code,
        priority,
        feature,
        op,
        value

    from source

)

select * from final
