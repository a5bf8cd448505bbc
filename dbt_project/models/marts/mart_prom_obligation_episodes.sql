-- Grain: period x provider x episode x obligation scope x schedule cycle x instrument x
-- timepoint: every collection window that matters for the period (closed in the window,
-- or open at the period end), with what the provider can still do about it. Identified
-- by the provider's own episode ID; no client pseudonym. `scope`/`scope_code` name the
-- obligation (its package, or the client segment whose clients it binds; package_code is
-- always the episode's own package). `status`:
--   met          the obligation's measure is met for the window
--   collectable  window open, no response yet: collect by collection_closes
--   missed       window closed in the period's window without a response
--   unpaired     follow-up collected, but the schedule's baseline was not

with

checked as (

    select * from {{ ref('int_episode_obligations_checked') }}

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(provider_id as varchar) as provider_id,
        cast(episode_id as varchar) as episode_id,
        cast(cycle as integer) as cycle,
        cast(package_code as varchar) as package_code,
        cast(instrument as varchar) as instrument,
        cast(timepoint as varchar) as timepoint,
        cast(timepoint_order as integer) as timepoint_order,
        cast(measure as varchar) as measure,
        cast(start_date as date) as start_date,
        cast(anchor_date as date) as anchor_date,
        cast(collection_opens as date) as collection_opens,
        cast(collection_closes as date) as collection_closes,
        cast(window_state as varchar) as window_state,
        cast(is_eligible as boolean) as is_eligible,
        cast(is_collected as boolean) as is_collected,
        cast(baseline_collected as boolean) as baseline_collected,
        cast(is_met as boolean) as is_met,
        cast(case
            when is_met then 'met'
            when is_collected then 'unpaired'
            when window_state = 'open' then 'collectable'
            else 'missed'
        end as varchar) as status,
        cast(scope as varchar) as scope,
        cast(scope_code as varchar) as scope_code

    from checked

)

{{ arvo_final_with_version() }}
