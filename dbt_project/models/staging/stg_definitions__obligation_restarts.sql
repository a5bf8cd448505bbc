-- One row per restarting obligation entry x service code x ICD-10 prefix; `scope` and
-- `scope_code` name the entry's package or segment (as in stg_definitions__obligations).

with

source as (

    select * from {{ source('definitions', 'obligation_restarts') }}

),

final as (

    select
        case
            when nullif(trim(package_code), '') is not null then 'package'
            else 'segment'
        end as scope,
        upper(coalesce(nullif(trim(package_code), ''), trim(segment_code))) as scope_code,
        upper(nullif(trim(package_code), '')) as package_code,
        upper(nullif(trim(segment_code), '')) as segment_code,
        lower(sector) as sector,
        upper(trim(service_code)) as service_code,
        nullif(upper(replace(trim(icd10_prefix), '.', '')), '') as icd10_prefix,
        min_days_between

    from source

)

select * from final
