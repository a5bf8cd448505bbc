-- One row per episode, instrument and timepoint whose collection window closed in
-- the period's window (start_date + to_days between the window start and the
-- period end): the compliance denominator. Episodes whose window is still open
-- are not here, so they are never counted as missing. `is_collected`: a response
-- of the instrument for the episode is dated within the collection window.

with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

responses as (

    select * from {{ ref('int_prom_responses_scored') }}

),

obligations as (

    select * from {{ ref('stg_definitions__obligations') }}

),

eligible as (

    select
        ep.provider_id,
        ep.episode_id,
        ep.client_id,
        ep.package_code,
        ob.instrument,
        ob.timepoint,
        ob.min_rate,
        ep.start_date,
        ep.start_date + ob.from_days as collection_opens,
        ep.start_date + ob.to_days as collection_closes
    from episodes as ep
    inner join obligations as ob
        on ob.package_code = ep.package_code
    where ep.start_date + ob.to_days
        between {{ arvo_window_start() }} and {{ arvo_period_end() }}

),

checked as (

    select
        e.provider_id,
        e.episode_id,
        e.instrument,
        e.timepoint,
        count(r.response_id) as responses_in_window
    from eligible as e
    left join responses as r
        on r.provider_id = e.provider_id
        and r.episode_id = e.episode_id
        and r.instrument = e.instrument
        and r.response_date between e.collection_opens and e.collection_closes
    group by e.provider_id, e.episode_id, e.instrument, e.timepoint

),

final as (

    select
        e.provider_id,
        e.episode_id,
        e.instrument,
        e.timepoint,
        e.client_id,
        e.package_code,
        e.min_rate,
        e.start_date,
        e.collection_opens,
        e.collection_closes,
        cast(c.responses_in_window as integer) as responses_in_window,
        c.responses_in_window > 0 as is_collected

    from eligible as e
    inner join checked as c
        on c.provider_id = e.provider_id
        and c.episode_id = e.episode_id
        and c.instrument = e.instrument
        and c.timepoint = e.timepoint

)

select * from final
