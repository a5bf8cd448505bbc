-- Grain: one row per segment of the draft segmentation (or of the current one when
-- `arvo define` is given no draft).

with

source as (

    select * from {{ source('definitions', 'draft_segments') }}

),

final as (

    select
        segment_code,
        priority,
        kaiser_level,
        name_fi,
        name_en,
        nullif(name_sv, '') as name_sv

    from source

)

select * from final
