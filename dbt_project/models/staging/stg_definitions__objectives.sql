with

source as (

    select * from {{ source('definitions', 'objectives') }}

),

final as (

    select
        objective_code,
        name_fi,
        name_en,
        nullif(name_sv, '') as name_sv,
        scope,
        scope_code,
        measure,
        measure_kind,
        nullif(instrument, '') as instrument,
        comparison,
        target_kind,
        target,
        coalesce(near, 0) as near,
        applies_from,
        min_n,
        min_clients,
        nullif(source, '') as source

    from source

)

select * from final
