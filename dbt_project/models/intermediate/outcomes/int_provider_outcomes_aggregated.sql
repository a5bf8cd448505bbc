-- One row per provider x package x instrument x measure: the provider's paired outcomes
-- on the measure (int_episodes_paired), laid out as NHS PROMs publishes its provider
-- results (pairs, average baseline and follow-up scores, average health gain and its
-- standard deviation, how many improved, stayed the same or worsened), with the same
-- package's, instrument's and measure's pairs at all other providers (the peers). The one
-- aggregation behind mart_provider_measure_outcomes (every measure) and
-- mart_provider_package_outcomes (each instrument's primary measure, with the peers).
-- `improved` always means better: for a measure where a lower score is better (seed
-- prom_measures.higher_is_better = false) the direction of the change is turned.

with

{{ arvo_import_ctes([
    ('pairs', 'int_episodes_paired'),
    ('prom_measures', 'prom_measures'),
]) }},

directions as (

    select
        instrument,
        measure,
        case when higher_is_better then 1 else -1 end as direction
    from prom_measures

),

provider_outcomes as (

    select
        p.provider_id,
        p.package_code,
        p.instrument,
        p.measure,
        p.is_primary,
        count(*) as pairs,
        -- exact sums: the same means on every run (macros/exact.sql)
        {{ arvo_exact_mean('p.baseline_score') }} as baseline_mean,
        {{ arvo_exact_mean('p.followup_score') }} as followup_mean,
        {{ arvo_exact_mean('p.change') }} as change_mean,
        {{ arvo_exact_stddev('p.change') }} as change_sd,
        {{ arvo_exact_sum('p.change') }} as change_sum,
        count(case when p.change * d.direction > 0 then 1 end) as improved,
        count(case when p.change = 0 then 1 end) as unchanged,
        count(case when p.change * d.direction < 0 then 1 end) as worsened
    from pairs as p
    left join directions as d
        on {{ arvo_same_keys('d', 'p', ['instrument', 'measure']) }}
    group by p.provider_id, p.package_code, p.instrument, p.measure, p.is_primary

),

final as (

    select
        provider_id,
        package_code,
        instrument,
        measure,
        is_primary,
        pairs,
        baseline_mean,
        followup_mean,
        change_mean,
        change_sd,
        improved,
        unchanged,
        worsened,
        sum(pairs) over (partition by package_code, instrument, measure) - pairs
            as peer_pairs,
        sum(change_sum) over (partition by package_code, instrument, measure) - change_sum
            as peer_change_sum

    from provider_outcomes

)

select * from final
