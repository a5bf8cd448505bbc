with

source as (

    select * from {{ source('definitions', 'obligations') }}

),

final as (

    select
        upper(package_code) as package_code,
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
