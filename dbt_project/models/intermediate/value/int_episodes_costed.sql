-- One row per provider x episode with at least one of the provider's service events
-- linked to it (events.episode_id) dated in the window: the episode's package and
-- client and the cost of those events. Which costs count towards an episode: only the
-- events the providing organisation itself reports under the episode's ID in the
-- window; events without an episode ID, events of other providers and events outside
-- the window do not (they still count in the client's and the segment's costs).
-- Money stays DECIMAL(18, 2) euros (the lake's type): sums are exact.

with

events as (

    select * from {{ ref('int_events_windowed') }}
    where episode_id is not null

),

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

episode_events as (

    select
        provider_id,
        episode_id,
        count(*) as events,
        sum(cast(cost_eur as decimal(18, 2))) as cost_eur
    from events
    group by provider_id, episode_id

),

final as (

    select
        ep.provider_id,
        ep.episode_id,
        ep.client_id,
        ep.package_code,
        cast(ee.events as integer) as events,
        cast(ee.cost_eur as decimal(18, 2)) as cost_eur

    from episode_events as ee
    inner join episodes as ep
        on {{ arvo_same_keys('ep', 'ee', ['provider_id', 'episode_id']) }}

)

select * from final
