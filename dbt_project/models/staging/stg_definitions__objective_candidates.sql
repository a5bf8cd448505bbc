-- Grain: one row per candidate objective (scope x scope_code x measure x instrument):
-- every objective a commissioner could set (arvo.objectives.candidates).

with

source as (

    select * from {{ source('definitions', 'objective_candidates') }}

),

final as (

    select
        objective_code,
        scope,
        scope_code,
        measure,
        measure_kind,
        nullif(instrument, '') as instrument

    from source

)

select * from final
