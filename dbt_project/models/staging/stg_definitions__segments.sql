with

source as (

    select * from {{ source('definitions', 'segments') }}

),

final as (

    select
        segment_code,
        priority,
        kaiser_level,
        name_fi,
        name_en,
        name_sv

    from source

)

select * from final
