with

source as (

    select * from {{ source('definitions', 'payment_rules') }}

),

final as (

    select
        package_code,
        sector,
        rule_json

    from source

)

select * from final
