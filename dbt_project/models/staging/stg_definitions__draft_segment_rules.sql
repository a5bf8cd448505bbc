-- Grain: one row per condition of a draft segment (segment_code x feature x op x
-- value); the draft's default segment has none.

with

source as (

    select * from {{ source('definitions', 'draft_segment_rules') }}

),

final as (

    select
        segment_code,
        priority,
        feature,
        op,
        value

    from source

)

select * from final
