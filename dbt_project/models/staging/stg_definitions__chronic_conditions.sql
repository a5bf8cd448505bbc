with

source as (

    select * from {{ source('definitions', 'chronic_conditions') }}

),

final as (

    select
        condition_group,
        upper(replace(icd10_prefix, '.', '')) as icd10_prefix

    from source

)

select * from final
