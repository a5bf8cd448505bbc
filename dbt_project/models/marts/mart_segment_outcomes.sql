-- Grain: period x segment x instrument: every defined segment, for each instrument whose
-- primary measure has a pair in any segment this period. How the segment's clients'
-- outcomes moved: the pairs on the instrument's primary measure (int_segment_pairs_
-- aggregated: attributed to the segment of their client, summed over the providers),
-- mean baseline, follow-up and change, and the pairs reaching the measure's minimal
-- important difference. How the reports show the score (labels, decimals, direction,
-- MID, scale) and the value set it was scored with come along from seed prom_measures
-- and the run's vars: no instrument is named here. Costs: mart_segment_value.

with

{{ arvo_import_ctes([
    ('segments', 'stg_definitions__segments'),
    ('provider_pairs', 'int_segment_pairs_aggregated'),
]) }},

prom_measures as (

    select * from {{ ref('prom_measures') }}
    where is_primary

),

segment_pairs as (

    select
        segment_code,
        instrument,
        sum(pairs) as pairs,
        sum(baseline_sum) as baseline_sum,
        sum(followup_sum) as followup_sum,
        sum(change_sum) as change_sum,
        sum(mid_improved) as mid_improved
    from provider_pairs
    group by segment_code, instrument

),

instruments as (

    select distinct instrument from segment_pairs

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(s.segment_code as varchar) as segment_code,
        cast(s.priority as integer) as priority,
        cast(i.instrument as varchar) as instrument,
        cast(m.measure as varchar) as measure,
        cast(coalesce(sp.pairs, 0) as bigint) as pairs,
        cast(sp.baseline_sum / nullif(sp.pairs, 0) as double) as baseline_mean,
        cast(sp.followup_sum / nullif(sp.pairs, 0) as double) as followup_mean,
        cast(sp.change_sum / nullif(sp.pairs, 0) as double) as change_mean,
        -- pairs whose gain reached the MID (seed prom_measures), and their share
        cast(coalesce(sp.mid_improved, 0) as bigint) as mid_improved,
        cast(1.0 * sp.mid_improved / nullif(sp.pairs, 0) as double) as mid_share,
        -- how the reports show the score, and what it was scored with
        {{ arvo_measure_display('m') }},
        cast(m.min_score as double) as min_score,
        cast(m.max_score as double) as max_score,
        cast({{ arvo_value_set('i.instrument') }} as varchar) as value_set

    from segments as s
    cross join instruments as i
    left join segment_pairs as sp
        on sp.segment_code = s.segment_code
        and sp.instrument = i.instrument
    left join prom_measures as m
        on m.instrument = i.instrument

)

{{ arvo_final_with_version() }}
