-- One row per pair on an instrument's primary measure (int_episodes_paired, is_primary),
-- judged against the measure's thresholds of seed prom_measures: the gain in the better
-- direction, and whether the pair reached the minimal important difference, improved
-- reliably and recovered (NHS Talking Therapies). The one place these rules are written;
-- mart_provider_measure_value and int_segment_pairs_aggregated count them.
--
-- gain                 = change where a higher score is better, -change where lower is
--                        better (PHQ-9, GAD-7): positive is always an improvement.
-- reached_mid          = gain >= mid (null where the measure has no MID).
-- reliable_improvement = gain >= reliable_change (NHS TT: PHQ-9 a fall of 6 or more,
--                        GAD-7 4 or more; null where the measure has none).
-- at_caseness          = baseline score >= caseness_threshold (PHQ-9 10, GAD-7 8).
-- recovered            = at caseness at baseline and below the threshold at follow-up.
--                        NHS TT judges recovery on PHQ-9 and GAD-7 jointly (a case on
--                        either at the start, below both at the end); Arvo pairs each
--                        measure on its own, so recovery is judged per measure (docs/marts.md).

with

pairs as (

    select * from {{ ref('int_episodes_paired') }}
    where is_primary

),

prom_measures as (

    select * from {{ ref('prom_measures') }}

),

judged as (

    select
        p.provider_id,
        p.episode_id,
        p.cycle,
        p.client_id,
        p.package_code,
        p.instrument,
        p.measure,
        p.baseline_score,
        p.followup_score,
        p.change,
        case when m.higher_is_better then p.change else -p.change end as gain,
        m.mid,
        m.reliable_change,
        m.caseness_threshold
    from pairs as p
    inner join prom_measures as m
        on {{ arvo_same_keys('m', 'p', ['instrument', 'measure']) }}

),

final as (

    select
        provider_id,
        episode_id,
        cycle,
        client_id,
        package_code,
        instrument,
        measure,
        baseline_score,
        followup_score,
        change,
        gain,
        case when mid is not null then gain >= mid end as reached_mid,
        case when reliable_change is not null then gain >= reliable_change end
            as reliable_improvement,
        case when caseness_threshold is not null then baseline_score >= caseness_threshold end
            as at_caseness,
        case
            when caseness_threshold is not null
                then baseline_score >= caseness_threshold
                    and followup_score < caseness_threshold
        end as recovered

    from judged

)

select * from final
