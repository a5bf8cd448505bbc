-- One row per obligation entry x instrument x timepoint. An entry binds either a package
-- (package_code) or a segment (segment_code): `scope` says which, `scope_code` is its code.

with

source as (

    select * from {{ source('definitions', 'obligations') }}

),

final as (

    select
        {{- arvo_obligation_scope() }}
        lower(sector) as sector,
        upper(instrument) as instrument,
        lower(timepoint) as timepoint,
        timepoint_order,
        at_days,
        from_days,
        to_days,
        lower(measure) as measure,
        min_rate,
        coalesce(while_open, false) as while_open,
        lower(coalesce(severity, 'error')) as severity,
        coalesce(restarts, false) as restarts,
        rationale

    from source

)

select * from final
