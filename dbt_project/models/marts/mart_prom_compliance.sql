-- Grain: period x provider x obligation scope x instrument x timepoint, for every
-- combination with at least one eligible episode (collection window closed in the window;
-- windows still open are not counted as missing, they are in `open_windows`). The scope
-- is a package (scope package, scope_code = package_code: the package's episodes) or a
-- client segment (scope segment, scope_code = the segment, package_code null: the
-- episodes, of any package, of the clients in the segment for the period); an episode
-- bound by both counts in each row.
--
-- collected / rate: the obligation's measure. Baseline: participation (a baseline
-- response in the window). Follow-ups: paired follow-up (the follow-up AND the
-- baseline of the same schedule collected); timepoint_collected counts follow-ups
-- collected with or without a baseline.
--
-- Pass rule (NHS Best Practice Tariff manner): an obligation is not met only when the
-- rate is below min_rate AND the shortfall is beyond sampling noise, i.e. the upper
-- bound of the Wilson 95 % score interval of the rate is below min_rate.
-- `below_threshold` is the plain comparison rate < min_rate. `verdict_tells_small`: the
-- verdict would differ between collected counts of 1 to 4 (macro arvo_obligation_met).
-- peer_*: the other providers with rows of the same scope, instrument and timepoint, on
-- at least var small_cell eligible episodes: a smaller one's rate rests on 1 to 4
-- episodes, and a median of two is their mean.

with

{{ arvo_import_ctes([
    ('checked', 'int_episode_obligations_checked'),
    ('providers', 'stg_definitions__providers'),
]) }},

aggregated as (

    select
        provider_id,
        scope,
        scope_code,
        instrument,
        timepoint,
        count(case when is_eligible then 1 end) as eligible_episodes,
        count(case when is_eligible and is_met then 1 end) as collected,
        count(case when is_eligible and is_collected then 1 end) as timepoint_collected,
        count(case when window_state = 'open' then 1 end) as open_windows,
        count(case when is_eligible and cycle > 0 then 1 end) as restarted_episodes,
        max(min_rate) as min_rate,
        max(measure) as measure,
        max(obligation_sector) as obligation_sector,
        max(severity) as severity,
        min(timepoint_order) as timepoint_order
    from checked
    group by provider_id, scope, scope_code, instrument, timepoint
    having count(case when is_eligible then 1 end) > 0

),

rated as (

    select
        *,
        -- a double quotient (/ of integers truncates on some engines)
        cast(collected as double) / eligible_episodes as rate,
        -- Wilson 95 % score interval
        {{ arvo_wilson_bound('cast(collected as double)', 'eligible_episodes', 'lower') }}
            as wilson_lower,
        {{ arvo_wilson_bound('cast(collected as double)', 'eligible_episodes', 'upper') }}
            as wilson_upper
    from aggregated

),

-- the collected counts a report hides: 1 to var small_cell - 1
small_counts as (

    {{ arvo_small_counts('collected') }}

),

-- whether the verdict would tell a hidden collected count apart: met for some of those
-- counts (up to the eligible episodes) and not for others ("<5 / 6, min. 60 %, met":
-- only 4 of 6 meets)
small_verdicts as (

    select
        r.provider_id,
        r.scope,
        r.scope_code,
        r.instrument,
        r.timepoint,
        {{ dbt.bool_or(arvo_obligation_met('s.collected', 'r.eligible_episodes',
                                           'r.min_rate')) }} as some_met,
        {{ dbt.bool_or('not ' ~ arvo_obligation_met('s.collected', 'r.eligible_episodes',
                                                    'r.min_rate')) }} as some_not_met
    from rated as r
    inner join small_counts as s
        on s.collected <= r.eligible_episodes
    group by r.provider_id, r.scope, r.scope_code, r.instrument, r.timepoint

),

peers as (

    select
        a.provider_id,
        a.scope,
        a.scope_code,
        a.instrument,
        a.timepoint,
        count(b.provider_id) as peer_providers,
        sum(b.eligible_episodes) as peer_eligible_episodes,
        {{ arvo_median('b.rate') }} as peer_median_rate
    from rated as a
    left join rated as b
        on {{ arvo_same_keys('b', 'a',
                             ['scope', 'scope_code', 'instrument', 'timepoint']) }}
        and b.provider_id <> a.provider_id
        and not ({{ arvo_is_small('b.eligible_episodes') }})
    group by a.provider_id, a.scope, a.scope_code, a.instrument, a.timepoint

),

final as (

    select
        {{ arvo_provider_columns('a') }},
        cast(case when a.scope = 'package' then a.scope_code end as varchar) as package_code,
        cast(a.instrument as varchar) as instrument,
        cast(a.timepoint as varchar) as timepoint,
        cast(a.eligible_episodes as bigint) as eligible_episodes,
        cast(a.collected as bigint) as collected,
        cast(a.rate as double) as rate,
        cast(a.min_rate as double) as min_rate,
        cast({{ arvo_obligation_met('a.collected', 'a.eligible_episodes', 'a.min_rate') }}
            as boolean) as meets_obligation,
        cast(coalesce(v.some_met and v.some_not_met, false) as boolean)
            as verdict_tells_small,
        cast(pr.sector as varchar) as sector,
        cast(a.obligation_sector as varchar) as obligation_sector,
        cast(a.measure as varchar) as measure,
        cast(a.severity as varchar) as severity,
        cast(a.timepoint_order as integer) as timepoint_order,
        cast(a.timepoint_collected as bigint) as timepoint_collected,
        cast(a.open_windows as bigint) as open_windows,
        cast(a.restarted_episodes as bigint) as restarted_episodes,
        cast(greatest(0.0, a.wilson_lower) as double) as rate_ci_lower,
        cast(least(1.0, a.wilson_upper) as double) as rate_ci_upper,
        cast(a.rate < a.min_rate as boolean) as below_threshold,
        cast(p.peer_providers as bigint) as peer_providers,
        cast(coalesce(p.peer_eligible_episodes, 0) as bigint) as peer_eligible_episodes,
        cast(p.peer_median_rate as double) as peer_median_rate,
        cast(a.scope as varchar) as scope,
        cast(a.scope_code as varchar) as scope_code

    from rated as a
    left join providers as pr
        on pr.provider_id = a.provider_id
    left join peers as p
        on {{ arvo_same_keys('p', 'a',
                             ['provider_id', 'scope', 'scope_code', 'instrument',
                              'timepoint']) }}
    left join small_verdicts as v
        on {{ arvo_same_keys('v', 'a',
                             ['provider_id', 'scope', 'scope_code', 'instrument',
                              'timepoint']) }}

)

{{ arvo_final_with_version() }}
