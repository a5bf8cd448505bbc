-- One row per obligation entry x instrument x timepoint. An entry binds either a package
-- (package_code) or a segment (segment_code): `scope` says which, `scope_code` is its code.

with

source as (

    select * from {{ source('definitions', 'obligations') }}

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
