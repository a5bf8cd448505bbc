-- One row per episode x schedule cycle x instrument x measure with a complete pair
-- counting in the period: a response scored on the measure dated in the obligation's
-- baseline window, and one scored on the same measure in the window of timepoint
-- `pair_followup_timepoint` (at_days +- tolerance_days) of the SAME cycle, the
-- follow-up dated within the period's window.
--
-- Cycles are those of the collection schedule (int_episode_obligations_checked's rule):
-- cycle 0 is anchored on the episode start, cycles 1, 2, ... on each restart
-- (int_episode_restarts_detected, e.g. an acute heart failure admission). A cycle's
-- follow-up pairs only if its target day comes before the next restart.
-- Each measure pairs on its own (as NHS PROMs does): a response without an EQ-5D
-- index (a dimension unanswered) can still give an EQ-VAS pair. Where a window holds
-- several responses scored on the measure, the one nearest the target day counts
-- (baseline: the anchor, clamped into the window; follow-up: the window's middle),
-- ties to the earlier one.

with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

measures as (

    select * from {{ ref('int_prom_measures_scored') }}

),

obligations as (

    -- the windows of the package obligation that binds the episode's provider (outcomes
    -- are compared per package; segment obligations only add collection duties)
    select * from {{ ref('int_provider_obligations_resolved') }}
    where scope = 'package'

),

restarts as (

    select * from {{ ref('int_episode_restarts_detected') }}
    where scope = 'package'

),

anchors as (

    select provider_id, episode_id, 0 as cycle, start_date as anchor_date
    from episodes
    union all
    select provider_id, episode_id, cycle, restart_date as anchor_date
    from restarts

),

cycles as (

    select
        *,
        lead(anchor_date) over (
            partition by provider_id, episode_id order by cycle
        ) as next_anchor_date
    from anchors

),

collection_windows as (

    select
        provider_id,
        package_code,
        instrument,
        timepoint,
        at_days,
        from_days,
        to_days,
        case
            when timepoint = 'baseline' then greatest(from_days, least(to_days, 0))
            else (from_days + to_days) // 2
        end as target_day
    from obligations
    where timepoint in ('baseline', '{{ var("pair_followup_timepoint") }}')

),

scheduled as (

    select
        ep.provider_id,
        ep.episode_id,
        ep.client_id,
        ep.package_code,
        ep.start_date,
        cy.cycle,
        cy.anchor_date,
        w.instrument,
        w.timepoint,
        w.target_day,
        cy.anchor_date + w.from_days as collection_opens,
        cy.anchor_date + w.to_days as collection_closes
    from episodes as ep
    inner join cycles as cy
        on cy.provider_id = ep.provider_id
        and cy.episode_id = ep.episode_id
    inner join collection_windows as w
        on w.provider_id = ep.provider_id
        and w.package_code = ep.package_code
    where cy.next_anchor_date is null or cy.anchor_date + w.at_days < cy.next_anchor_date

),

candidates as (

    select
        s.provider_id,
        s.episode_id,
        s.cycle,
        s.instrument,
        m.measure,
        m.is_primary,
        s.timepoint,
        s.client_id,
        s.package_code,
        s.start_date,
        s.anchor_date,
        m.response_id,
        m.response_date,
        m.score
    from scheduled as s
    inner join measures as m
        on m.provider_id = s.provider_id
        and m.episode_id = s.episode_id
        and m.instrument = s.instrument
    where m.score is not null
      and m.response_date between s.collection_opens and s.collection_closes
    qualify row_number() over (
        partition by s.provider_id, s.episode_id, s.cycle, s.instrument, m.measure, s.timepoint
        order by
            abs(date_diff('day', s.anchor_date + s.target_day, m.response_date)),
            m.response_date,
            m.response_id
    ) = 1

),

baselines as (

    select * from candidates where timepoint = 'baseline'

),

followups as (

    select * from candidates where timepoint <> 'baseline'

),

final as (

    select
        b.provider_id,
        b.episode_id,
        cast(b.cycle as integer) as cycle,
        b.instrument,
        b.measure,
        b.is_primary,
        b.client_id,
        b.package_code,
        b.start_date,
        b.anchor_date,
        b.response_id as baseline_response_id,
        b.response_date as baseline_date,
        b.score as baseline_score,
        f.response_id as followup_response_id,
        f.response_date as followup_date,
        f.score as followup_score,
        round(f.score - b.score, 6) as change

    from baselines as b
    inner join followups as f
        on f.provider_id = b.provider_id
        and f.episode_id = b.episode_id
        and f.cycle = b.cycle
        and f.instrument = b.instrument
        and f.measure = b.measure
    where f.response_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

)

select * from final
