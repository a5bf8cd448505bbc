-- One row per provider x episode x cycle x instrument with an eligible baseline window
-- (int_episode_obligations_checked: closed within the period's window). An episode
-- bound by its package's and its segment's obligations has a window under each: it is
-- counted once here, collected when either window holds a response. The baseline
-- participation of objectives (arvo_objective_units) and of segments
-- (mart_segment_profiles) both count these rows.

with

windows as (

    select * from {{ ref('int_episode_obligations_checked') }}
    where timepoint = 'baseline'
        and is_eligible

),

final as (

    -- the window's key, then what the objectives' scopes are matched on
    select
        provider_id, episode_id, cycle, instrument,
        client_id, package_code, provider_sector,
        {{ dbt.bool_or('is_collected') }} as is_collected
    from windows
    group by provider_id, episode_id, cycle, instrument,
        client_id, package_code, provider_sector

)

select * from final
