-- One row per restarting obligation entry x service code x ICD-10 prefix; `scope` and
-- `scope_code` name the entry's package or segment (as in stg_definitions__obligations).

with

source as (

    select * from {{ source('definitions', 'obligation_restarts') }}

),

final as (

    select
        {{- arvo_obligation_scope() }}
        lower(sector) as sector,
        upper(trim(service_code)) as service_code,
        nullif(upper(replace(trim(icd10_prefix), '.', '')), '') as icd10_prefix,
        min_days_between

    from source

)

select * from final
