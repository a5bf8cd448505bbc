-- One row per action agreed at a steering meeting (1:1 with source
-- definitions.meeting_agreements, compiled by arvo.meetings).

with

source as (

    select * from {{ source('definitions', 'meeting_agreements') }}

),

final as (

    select
        cast(agreement_row as integer) as agreement_row,
        cast(meeting as varchar) as meeting,
        cast(provider_id as varchar) as provider_id,
        cast(topic as varchar) as topic,
        cast(action as varchar) as action,
        coalesce(cast(responsible as varchar), '') as responsible,
        nullif(cast(due as varchar), '') as due,
        lower(cast(status as varchar)) as status

    from source

)

select * from final
