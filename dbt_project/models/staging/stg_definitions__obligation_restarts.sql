with

source as (

    select * from {{ source('definitions', 'obligation_restarts') }}

),

final as (

    select
        upper(package_code) as package_code,
        lower(sector) as sector,
        upper(trim(service_code)) as service_code,
        nullif(upper(replace(trim(icd10_prefix), '.', '')), '') as icd10_prefix,
        min_days_between

    from source

)

select * from final
