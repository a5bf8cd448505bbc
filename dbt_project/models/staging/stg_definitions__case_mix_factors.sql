with

source as (

    select * from {{ source('definitions', 'case_mix_factors') }}

),

final as (

    select
        upper(package_code) as package_code,
        factor,
        factor_order

    from source

)

select * from final
