with

source as (

    select * from {{ source('definitions', 'verdict_rules') }}

),

final as (

    select
        min_pairs,
        overdispersion,
        winsorise

    from source

)

select * from final
