-- Grain: period x provider x segment x instrument, for every provider with a pair on the
-- instrument's primary measure in the segment (int_segment_pairs_aggregated: pairs are
-- attributed to the provider of the episode and the segment of its client). Mean
-- baseline, follow-up and change, the pairs reaching the measure's MID, and peer_*: the
-- same over all other providers' pairs of the segment and instrument. Not case-mix
-- adjusted: the reports judge providers on mart_provider_funnel; this mart describes
-- where a segment's gains were made. How a score is shown comes from seed prom_measures.

with

{{ arvo_import_ctes([
    ('provider_pairs', 'int_segment_pairs_aggregated'),
    ('providers', 'stg_definitions__providers'),
]) }},

prom_measures as (

    select * from {{ ref('prom_measures') }}
    where is_primary

),

with_segment as (

    -- the segment's pairs on the instrument at every provider (exact decimal sums)
    select
        *,
        sum(pairs) over (partition by segment_code, instrument) as segment_pairs,
        sum(change_sum) over (partition by segment_code, instrument) as segment_change_sum
    from provider_pairs

),

final as (

    select
        {{ arvo_provider_columns('w', ['segment_code', 'instrument', 'measure']) }},
        cast(w.pairs as bigint) as pairs,
        cast(w.baseline_sum / w.pairs as double) as baseline_mean,
        cast(w.followup_sum / w.pairs as double) as followup_mean,
        cast(w.change_sum / w.pairs as double) as change_mean,
        cast(w.mid_improved as bigint) as mid_improved,
        cast(1.0 * w.mid_improved / w.pairs as double) as mid_share,
        cast(w.segment_pairs - w.pairs as bigint) as peer_pairs,
        cast((w.segment_change_sum - w.change_sum) / nullif(w.segment_pairs - w.pairs, 0)
             as double) as peer_change_mean,
        -- how the reports show the score
        {{ arvo_measure_display('m') }}

    from with_segment as w
    left join prom_measures as m
        on m.instrument = w.instrument
    left join providers as pr
        on pr.provider_id = w.provider_id

)

{{ arvo_final_with_version() }}
