-- One row per episode restart of an obligation scope: an event that resets the schedule
-- of an obligation binding the episode (stg_definitions__obligation_restarts, e.g. an
-- acute admission for heart failure). Which entries bind which episodes (a package's
-- the episodes of the package, a segment's those of the segment's clients) is
-- int_episode_obligations_bound; restarts are detected per scope (scope, scope_code), so
-- `where scope = 'package'` gives the restarts of the package obligations.
-- Restarting events are the client's service events at ANY provider (linked by the
-- client pseudonym) with a restart service code and, where the rule names prefixes, a
-- diagnosis starting with one of them. Consecutive events closer than
-- min_days_between days to the previous one belong to the same admission, which
-- restarts the schedule once, on its first day. An admission restarts an episode when
-- it begins during the episode (up to its end, or the period end), at least
-- min_days_between days after the episode start. `cycle` numbers the restarts 1, 2, ...
-- per episode and scope (cycle 0 is the schedule anchored on the episode start).

{#- an event `ev` falls under a rule `r`: its code, and a diagnosis starting with the
    rule's prefix where it names one -#}
{%- set rule_matches -%}
r.service_code = ev.service_code
        and (
            r.icd10_prefix is null
            or {{ arvo_starts_with("replace(upper(coalesce(ev.diagnosis, '')), '.', '')",
                                   'r.icd10_prefix') }}
        )
{%- endset %}

with

bound as (

    select * from {{ ref('int_episode_obligations_bound') }}

),

events as {{ arvo_inlined() }} (

    -- read where each of the two CTEs below reads it: materialised once for both, the
    -- whole history's events (13.6 million rows at county scale) cost about twice the
    -- rest of the model
    select * from {{ ref('stg_lake__events') }}

),

rules as (

    select * from {{ ref('stg_definitions__obligation_restarts') }}

),

restart_candidate_keys as (

    -- the events that qualified under a rule (code and diagnosis) in any version: only
    -- these can be restarting events as known at the period end (ranking them instead
    -- of the whole history halves the model's time at county scale)
    select distinct
        ev.provider_id,
        ev.event_id
    from events as ev
    inner join rules as r
        on {{ rule_matches }}

),

restart_candidates as (

    -- every version of those events, whatever its code: a later version without a
    -- restarting code still wins over an earlier one with it
    select events.*
    from events
    inner join restart_candidate_keys as keys
        on {{ arvo_same_keys('keys', 'events', ['provider_id', 'event_id']) }}

),

events_by_period as (

    -- as known at the period end: the latest submission of each event dated up to the
    -- period end wins
    {{- arvo_latest_submission('restart_candidates', ['provider_id', 'event_id'],
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
        on {{ rule_matches }}

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
       or {{ dbt.datediff('previous_event_date', 'event_date', 'day') }} >= min_days_between

),

restarting as (

    -- the episodes bound by an entry whose schedule restarts, once per scope
    select distinct
        provider_id,
        episode_id,
        scope,
        scope_code,
        obligation_sector,
        client_id,
        package_code,
        start_date,
        end_date
    from bound
    where restarts

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
    from restarting as b
    inner join admissions as ad
        on {{ arvo_same_keys('ad', 'b', ['client_id', 'scope', 'scope_code']) }}
        and ad.sector = b.obligation_sector
    where ad.admitted_on >= {{ arvo_add_days('b.start_date', 'ad.min_days_between') }}
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
