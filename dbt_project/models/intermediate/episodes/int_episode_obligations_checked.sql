-- One row per episode x obligation scope x schedule cycle x instrument x timepoint whose
-- collection window matters for the period: windows that closed within the window
-- (`is_eligible`, the compliance denominator) and windows open at the period end (not
-- yet counted as missing, still collectable until `collection_closes`).
--
-- The obligations binding an episode (int_provider_obligations_resolved: the provider's
-- sector's entry, else the `all` entry) are its package's (scope package) and, for each
-- segment obligation, the segment's when int_clients_segmented places the episode's
-- client in that segment for the period (scope segment; episodes of any package). An
-- episode bound by both counts under each, with each entry's own windows. Each scope's
-- schedule is anchored on the episode start (cycle 0) and, where its obligation
-- restarts, again on each of that scope's restart dates (int_episode_restarts_detected,
-- cycles 1, 2, ...). A timepoint of a cycle is due only if its target day comes before
-- the next restart; a `while_open` timepoint only if the episode had not ended when its
-- window opened. `is_collected`: a response of the instrument for the episode dated in
-- the window. `is_met`: participation (baseline) = collected; paired (follow-up) =
-- collected AND the baseline of the same scope and cycle collected.

with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

segments as (

    select * from {{ ref('int_clients_segmented') }}

),

responses as (

    select * from {{ ref('int_prom_responses_scored') }}

),

obligations as (

    select * from {{ ref('int_provider_obligations_resolved') }}

),

restarts as (

    select * from {{ ref('int_episode_restarts_detected') }}

),

episode_scopes as (

    -- every scope an episode can be bound in: its package, and its client's segment
    {{- arvo_episode_scopes('episodes', 'segments') }}

),

bound as (

    -- each episode with every obligation row binding it
    select
        ep.provider_id,
        ep.episode_id,
        ep.client_id,
        ep.package_code,
        ep.start_date,
        ep.end_date,
        ob.scope,
        ob.scope_code,
        ob.instrument,
        ob.timepoint,
        ob.provider_sector,
        ob.obligation_sector,
        ob.timepoint_order,
        ob.at_days,
        ob.from_days,
        ob.to_days,
        ob.measure,
        ob.min_rate,
        ob.while_open,
        ob.severity
    from episodes as ep
    inner join episode_scopes as es
        on es.provider_id = ep.provider_id
        and es.episode_id = ep.episode_id
    inner join obligations as ob
        on ob.provider_id = ep.provider_id
        and ob.scope = es.scope
        and ob.scope_code = es.scope_code

),

anchors as (

    select distinct
        provider_id, episode_id, scope, scope_code, 0 as cycle, start_date as anchor_date
    from bound
    union all
    select provider_id, episode_id, scope, scope_code, cycle, restart_date as anchor_date
    from restarts

),

cycles as (

    select
        *,
        lead(anchor_date) over (
            partition by provider_id, episode_id, scope, scope_code order by cycle
        ) as next_anchor_date
    from anchors

),

scheduled as (

    select
        b.provider_id,
        b.episode_id,
        b.scope,
        b.scope_code,
        cy.cycle,
        b.instrument,
        b.timepoint,
        b.client_id,
        b.package_code,
        b.provider_sector,
        b.obligation_sector,
        b.timepoint_order,
        b.measure,
        b.min_rate,
        b.severity,
        b.start_date,
        b.end_date,
        cy.anchor_date,
        cy.anchor_date + b.at_days as target_date,
        cy.anchor_date + b.from_days as collection_opens,
        cy.anchor_date + b.to_days as collection_closes
    from bound as b
    inner join cycles as cy
        on cy.provider_id = b.provider_id
        and cy.episode_id = b.episode_id
        and cy.scope = b.scope
        and cy.scope_code = b.scope_code
    where (cy.next_anchor_date is null or cy.anchor_date + b.at_days < cy.next_anchor_date)
      and (not b.while_open or b.end_date is null
           or b.end_date >= cy.anchor_date + b.from_days)
      and cy.anchor_date + b.from_days <= {{ arvo_period_end() }}

),

collected as (

    select
        s.provider_id,
        s.episode_id,
        s.scope,
        s.scope_code,
        s.cycle,
        s.instrument,
        s.timepoint,
        count(r.response_id) as responses_in_window
    from scheduled as s
    left join responses as r
        on r.provider_id = s.provider_id
        and r.episode_id = s.episode_id
        and r.instrument = s.instrument
        and r.response_date between s.collection_opens and s.collection_closes
    group by s.provider_id, s.episode_id, s.scope, s.scope_code, s.cycle, s.instrument,
        s.timepoint

),

checked as (

    select
        s.*,
        c.responses_in_window,
        c.responses_in_window > 0 as is_collected,
        coalesce(bool_or(
            case when s.timepoint = 'baseline' then c.responses_in_window > 0 end
        ) over (partition by s.provider_id, s.episode_id, s.scope, s.scope_code, s.cycle,
                s.instrument),
            false) as baseline_collected
    from scheduled as s
    inner join collected as c
        on c.provider_id = s.provider_id
        and c.episode_id = s.episode_id
        and c.scope = s.scope
        and c.scope_code = s.scope_code
        and c.cycle = s.cycle
        and c.instrument = s.instrument
        and c.timepoint = s.timepoint

),

final as (

    select
        provider_id,
        episode_id,
        cast(cycle as integer) as cycle,
        instrument,
        timepoint,
        client_id,
        package_code,
        provider_sector,
        obligation_sector,
        timepoint_order,
        measure,
        min_rate,
        severity,
        start_date,
        end_date,
        anchor_date,
        target_date,
        collection_opens,
        collection_closes,
        case when collection_closes <= {{ arvo_period_end() }} then 'closed' else 'open' end
            as window_state,
        collection_closes <= {{ arvo_period_end() }} as is_eligible,
        cast(responses_in_window as integer) as responses_in_window,
        is_collected,
        baseline_collected,
        case
            when measure = 'paired' then is_collected and baseline_collected
            else is_collected
        end as is_met,
        scope,
        scope_code

    from checked
    where collection_closes >= {{ arvo_window_start() }}

)

select * from final
