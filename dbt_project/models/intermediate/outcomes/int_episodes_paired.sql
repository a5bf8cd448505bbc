-- One row per episode x schedule cycle x instrument x measure with a complete pair
-- counting in the period: a response scored on the measure dated in the obligation's
-- baseline window, and one scored on the same measure in the window of timepoint
-- `pair_followup_timepoint` (at_days +- tolerance_days) of the SAME cycle, the
-- follow-up dated within the period's window.
--
-- Cycles and windows are those of the collection schedule of the episode's package
-- obligation (int_episode_windows_scheduled, as compliance uses them): cycle 0 is
-- anchored on the episode start, cycles 1, 2, ... on each restart (e.g. an acute heart
-- failure admission), and a cycle's follow-up pairs only if its target day comes before
-- the next restart. Outcomes are compared per package: segment obligations only add
-- collection duties.
-- Each measure pairs on its own (as NHS PROMs does): a response without an EQ-5D
-- index (a dimension unanswered) can still give an EQ-VAS pair. Where a window holds
-- several responses scored on the measure, the one nearest the target day counts
-- (baseline: the anchor, clamped into the window; follow-up: the window's middle),
-- ties to the earlier one.

with

candidates as (

    select * from {{ ref('int_episode_responses_matched') }}

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
        on {{ arvo_same_keys('f', 'b',
                             ['provider_id', 'episode_id', 'cycle', 'instrument',
                              'measure']) }}
    where f.response_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

)

select * from final
