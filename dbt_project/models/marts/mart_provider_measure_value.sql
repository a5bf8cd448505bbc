-- Grain: period x provider x package x instrument x measure, for each instrument's primary
-- measure with at least one pair (int_pairs_assessed): the provider's outcome gain on the
-- measure beside what its episodes of the package cost (int_provider_package_costs).
--
-- gain_mean            mean gain in the better direction (positive = improvement).
-- cost_per_gain_eur    cost per episode / gain_mean: euros per unit of mean gain, only
--                      when gain_mean > 0 at the measure's shown precision (it does not
--                      round to 0 at `decimals`) and the package has costed episodes; otherwise
--                      null and cost_per_gain_reason says why (no_gain, no_cost). It
--                      assumes the paired episodes gain what all the package's costed
--                      episodes of the provider gain.
-- qalys_per_episode    for a preference-based index (var qaly_measures: EQ-5D index):
--                      gain_mean x var qaly_gain_years (default 1: the mean gain is
--                      assumed to last one year, without decay or discounting).
-- cost_per_qaly_eur    cost per episode / qalys_per_episode, under the same conditions.
-- mid_improved         pairs whose gain reached the measure's MID (null: no MID).
-- reliable_improved    pairs with NHS Talking Therapies reliable improvement (PHQ-9, GAD-7).
-- caseness_pairs       pairs at caseness at baseline; recovered: of those, below the
--                      threshold at follow-up (per measure; see int_pairs_assessed).

with

{{ arvo_import_ctes([
    ('pairs', 'int_pairs_assessed'),
    ('costs', 'int_provider_package_costs'),
    ('prom_measures', 'prom_measures'),
    ('providers', 'stg_definitions__providers'),
]) }},

measure_outcomes as (

    select
        provider_id,
        package_code,
        instrument,
        measure,
        count(*) as pairs,
        count(distinct client_id) as paired_clients,
        {{ arvo_exact_mean('gain') }} as gain_mean,  -- the same on every run (macros/exact.sql)
        sum(case when reached_mid then 1 else 0 end) as mid_improved,
        sum(case when reliable_improvement then 1 else 0 end) as reliable_improved,
        sum(case when at_caseness then 1 else 0 end) as caseness_pairs,
        sum(case when recovered then 1 else 0 end) as recovered
    from pairs
    group by provider_id, package_code, instrument, measure

),

joined as (

    select
        o.*,
        m.instrument_label,
        m.measure_label,
        m.higher_is_better,
        m.decimals,
        m.mid,
        m.reliable_change,
        m.caseness_threshold,
        c.episodes,
        c.clients,
        c.total_cost_eur,
        c.total_cost_eur / c.episodes as cost_per_episode_eur,
        o.measure in ({{ "'" ~ var('qaly_measures') | join("', '") ~ "'" }}) as is_utility,
        case
            when coalesce(c.episodes, 0) = 0 then 'no_cost'
            -- a mean gain that rounds to zero at the measure's shown precision is no
            -- gain: dividing by the rounding noise of a double (a true gain of 0 summed
            -- as 1e-17) would give a figure of 1e20 euros per unit
            when round(o.gain_mean, m.decimals) <= 0 then 'no_gain'
        end as cost_per_gain_reason
    from measure_outcomes as o
    inner join prom_measures as m
        on {{ arvo_same_keys('m', 'o', ['instrument', 'measure']) }}
    left join costs as c
        on {{ arvo_same_keys('c', 'o', ['provider_id', 'package_code']) }}

),

final as (

    select
        {{ arvo_provider_columns('j', ['package_code', 'instrument', 'measure']) }},
        cast(j.pairs as bigint) as pairs,
        cast(j.paired_clients as bigint) as paired_clients,
        cast(j.gain_mean as double) as gain_mean,
        -- costs of the provider's episodes of the package (mart_provider_value)
        cast(coalesce(j.episodes, 0) as bigint) as episodes,
        cast(coalesce(j.clients, 0) as bigint) as clients,
        cast(j.total_cost_eur as decimal(18, 2)) as total_cost_eur,
        cast(j.cost_per_episode_eur as decimal(18, 4)) as cost_per_episode_eur,
        cast(case when j.cost_per_gain_reason is null
                  then j.cost_per_episode_eur / j.gain_mean end as decimal(18, 4))
            as cost_per_gain_eur,
        cast(j.cost_per_gain_reason as varchar) as cost_per_gain_reason,
        cast(case when j.is_utility then j.gain_mean * {{ var('qaly_gain_years') }} end
            as double) as qalys_per_episode,
        cast(case when j.is_utility and j.cost_per_gain_reason is null
                  then j.cost_per_episode_eur / (j.gain_mean * {{ var('qaly_gain_years') }})
             end as decimal(18, 4)) as cost_per_qaly_eur,
        cast(case when j.is_utility then {{ var('qaly_gain_years') }} end as double)
            as qaly_gain_years,
        -- responders: MID, NHS Talking Therapies reliable improvement and recovery
        cast(case when j.mid is not null then j.mid_improved end as bigint) as mid_improved,
        cast(case when j.mid is not null then 1.0 * j.mid_improved / j.pairs end as double)
            as mid_share,
        cast(case when j.reliable_change is not null then j.reliable_improved end as bigint)
            as reliable_improved,
        cast(case when j.reliable_change is not null then 1.0 * j.reliable_improved / j.pairs end
            as double) as reliable_improvement_rate,
        cast(case when j.caseness_threshold is not null then j.caseness_pairs end as bigint)
            as caseness_pairs,
        cast(case when j.caseness_threshold is not null then j.recovered end as bigint)
            as recovered,
        cast(case when j.caseness_threshold is not null
                  then 1.0 * j.recovered / nullif(j.caseness_pairs, 0) end as double)
            as recovery_rate,
        -- the measure's thresholds and how the reports show it (seed prom_measures)
        cast(j.mid as double) as mid,
        cast(j.reliable_change as double) as reliable_change,
        cast(j.caseness_threshold as double) as caseness_threshold,
        {{ arvo_measure_display('j', ['instrument_label', 'measure_label',
                                      'higher_is_better', 'decimals']) }},
        cast({{ arvo_value_set('j.instrument') }} as varchar) as value_set

    from joined as j
    left join providers as pr
        on pr.provider_id = j.provider_id

)

{{ arvo_final_with_version() }}
