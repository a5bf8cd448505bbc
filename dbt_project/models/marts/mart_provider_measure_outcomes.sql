-- Grain: period x provider x package x instrument x measure: the provider's paired
-- outcomes on every measure of the instrument (EQ-5D index and EQ-VAS, PROMIS physical
-- and mental, KCCQ-12 domains, ...), laid out as NHS PROMs publishes its provider
-- results: pairs, average baseline and follow-up scores, average health gain, its
-- standard deviation, and how many improved, stayed the same or worsened (follow-up
-- above, equal to or below baseline on the measure's own scale; for measures where a
-- lower score is better, seed prom_measures.higher_is_better = false, the direction
-- is turned so that `improved` always means better). How the reports show the measure
-- (labels, decimals, direction, MID) and the value set it was scored with come along.
-- The aggregation is int_provider_outcomes_aggregated's (shared with
-- mart_provider_package_outcomes), limited to the measures of seed prom_measures.

with

{{ arvo_import_ctes([
    ('outcomes', 'int_provider_outcomes_aggregated'),
    ('prom_measures', 'prom_measures'),
    ('providers', 'stg_definitions__providers'),
]) }},

final as (

    select
        {{ arvo_provider_columns('o', ['package_code', 'instrument', 'measure']) }},
        cast(o.pairs as bigint) as pairs,
        cast(o.baseline_mean as double) as baseline_mean,
        cast(o.followup_mean as double) as followup_mean,
        cast(o.change_mean as double) as change_mean,
        cast(o.change_sd as double) as change_sd,
        cast(o.improved as bigint) as improved,
        cast(o.unchanged as bigint) as unchanged,
        cast(o.worsened as bigint) as worsened,
        -- how the reports show the measure, and what it was scored with
        {{ arvo_measure_display('m') }},
        cast(
            case when o.measure = 'eq5d_index' then {{ arvo_value_set('o.instrument') }} end
            as varchar
        ) as value_set

    from outcomes as o
    -- the measures of seed prom_measures
    inner join prom_measures as m
        on {{ arvo_same_keys('m', 'o', ['instrument', 'measure']) }}
    left join providers as pr
        on pr.provider_id = o.provider_id

)

{{ arvo_final_with_version() }}
