-- One row per episode restart of an obligation scope: an event that resets the schedule
-- of an obligation binding the episode (stg_definitions__obligation_restarts, e.g. an
-- acute admission for heart failure). A package entry binds the episodes of its package,
-- a segment entry the episodes of the clients int_clients_segmented places in the segment
-- for the period; restarts are detected per scope (scope, scope_code), so
-- `where scope = 'package'` gives the restarts of the package obligations.
-- Restarting events are the client's service events at ANY provider (linked by the
-- client pseudonym) with a restart service code and, where the rule names prefixes, a
-- diagnosis starting with one of them. Consecutive events closer than
-- min_days_between days to the previous one belong to the same admission, which
-- restarts the schedule once, on its first day. An admission restarts an episode when
-- it begins during the episode (up to its end, or the period end), at least
-- min_days_between days after the episode start. `cycle` numbers the restarts 1, 2, ...
-- per episode and scope (cycle 0 is the schedule anchored on the episode start).

with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

segments as (

    select * from {{ ref('int_clients_segmented') }}

),

events as (

    select * from {{ ref('stg_lake__events') }}

),

obligations as (

    select * from {{ ref('int_provider_obligations_resolved') }}

),

rules as (

    select * from {{ ref('stg_definitions__obligation_restarts') }}

),

events_by_period as (

    -- as known at the period end: the latest submission of each event dated up to the
    -- period end wins
    {{- arvo_latest_submission('events', ['provider_id', 'event_id'],
                               where='event_date <= ' ~ arvo_period_end()) }}

),

qualifying as (

    select distinct
        ev.client_id,
        r.scope,
        r.scope_code,
        r.sector,
        r.min_days_between,
        ev.event_date
    from events_by_period as ev
    inner join rules as r
        on r.service_code = ev.service_code
        and (
            r.icd10_prefix is null
            or starts_with(replace(upper(coalesce(ev.diagnosis, '')), '.', ''), r.icd10_prefix)
        )

),

sequenced as (

    select
        *,
        lag(event_date) over (
            partition by client_id, scope, scope_code, sector order by event_date
        ) as previous_event_date
    from qualifying

),

admissions as (

    select
        client_id,
        scope,
        scope_code,
        sector,
        min_days_between,
        event_date as admitted_on
    from sequenced
    where previous_event_date is null
       or date_diff('day', previous_event_date, event_date) >= min_days_between

),

restarting_entries as (

    select distinct provider_id, scope, scope_code, obligation_sector
    from obligations
    where restarts

),

episode_scopes as (

    -- every scope an episode can be bound in: its package, and its client's segment
    {{- arvo_episode_scopes('episodes', 'segments') }}

),

bound as (

    -- the episodes each restarting entry binds: a package entry the episodes of its
    -- package, a segment entry the episodes of the segment's clients
    select
        ep.provider_id,
        ep.episode_id,
        en.scope,
        en.scope_code,
        en.obligation_sector,
        ep.client_id,
        ep.package_code,
        ep.start_date,
        ep.end_date
    from episodes as ep
    inner join episode_scopes as es
        on es.provider_id = ep.provider_id
        and es.episode_id = ep.episode_id
    inner join restarting_entries as en
        on en.provider_id = ep.provider_id
        and en.scope = es.scope
        and en.scope_code = es.scope_code

),

restarts as (

    select
        b.provider_id,
        b.episode_id,
        b.scope,
        b.scope_code,
        b.client_id,
        b.package_code,
        b.start_date,
        ad.admitted_on as restart_date
    from bound as b
    inner join admissions as ad
        on ad.client_id = b.client_id
        and ad.scope = b.scope
        and ad.scope_code = b.scope_code
        and ad.sector = b.obligation_sector
    where ad.admitted_on >= b.start_date + ad.min_days_between
      and ad.admitted_on <= coalesce(b.end_date, {{ arvo_period_end() }})
      and ad.admitted_on <= {{ arvo_period_end() }}

),

final as (

    select
        provider_id,
        episode_id,
        scope,
        scope_code,
        cast(row_number() over (
            partition by provider_id, episode_id, scope, scope_code order by restart_date
        ) as integer) as cycle,
        client_id,
        package_code,
        start_date,
        restart_date

    from restarts

)

select * from final
