-- One row per episode and instrument with a complete pair counting in the period:
-- a scored baseline response (dated in the obligation's baseline window of the
-- episode start) and a scored follow-up response (in the follow-up window of
-- timepoint `pair_followup_timepoint`, at_days +- tolerance_days) whose date falls
-- in the window. Where a window holds several responses, the one nearest the
-- target day counts (baseline: the start, clamped into the window; follow-up:
-- at_days), ties to the earlier one.

with

episodes as (

    select * from {{ ref('int_episodes_deduplicated') }}

),

responses as (

    select * from {{ ref('int_prom_responses_scored') }}

),

obligations as (

    -- the windows of the obligation that binds the episode's provider (its sector's)
    select * from {{ ref('int_provider_obligations_resolved') }}

),

collection_windows as (

    select
        provider_id,
        package_code,
        instrument,
        timepoint,
        from_days,
        to_days,
        case
            when timepoint = 'baseline' then greatest(from_days, least(to_days, 0))
            else (from_days + to_days) // 2
        end as target_day
    from obligations
    where timepoint in ('baseline', '{{ var("pair_followup_timepoint") }}')

),

candidates as (

    select
        ep.provider_id,
        ep.episode_id,
        ep.client_id,
        ep.package_code,
        ep.start_date,
        w.instrument,
        w.timepoint,
        r.response_id,
        r.response_date,
        r.score
    from episodes as ep
    inner join collection_windows as w
        on w.provider_id = ep.provider_id
        and w.package_code = ep.package_code
    inner join responses as r
        on r.provider_id = ep.provider_id
        and r.episode_id = ep.episode_id
        and r.instrument = w.instrument
    where r.score is not null
      and r.response_date between ep.start_date + w.from_days and ep.start_date + w.to_days
    qualify row_number() over (
        partition by ep.provider_id, ep.episode_id, w.instrument, w.timepoint
        order by
            abs(date_diff('day', ep.start_date + w.target_day, r.response_date)),
            r.response_date,
            r.response_id
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
        b.instrument,
        b.client_id,
        b.package_code,
        b.start_date,
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
        and f.instrument = b.instrument
    where f.response_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

)

select * from final
