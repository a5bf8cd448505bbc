with

source as (

    select * from {{ source('definitions', 'obligations') }}

),

final as (

    select
        upper(package_code) as package_code,
        upper(instrument) as instrument,
        lower(timepoint) as timepoint,
        from_days,
        to_days,
        min_rate

    from source

)

select * from final
