-- One row per provider x segment x instrument with pairs: the pairs on each instrument's
-- primary measure (int_pairs_assessed) of the provider's episodes, attributed to the
-- segment int_clients_segmented places the episode's client in for the period, as a
-- count, exact sums of baseline and follow-up scores and change (means = sum / pairs, at
-- any roll-up) and the pairs that reached the measure's minimal important difference.
-- Every instrument alike: which there are, and which way is better, is seed
-- prom_measures' (int_pairs_assessed). The one attribution of pairs to segments behind
-- mart_segment_outcomes (per segment) and mart_provider_segment_outcomes (per provider
-- and segment, with the peers).

with

-- pairs: each instrument's primary measure (EQ-5D index, PHQ-9 total, ...)
{{ arvo_import_ctes([
    ('pairs', 'int_pairs_assessed'),
    ('clients', 'int_clients_segmented'),
]) }},

final as (

    select
        p.provider_id,
        c.segment_code,
        p.instrument,
        p.measure,
        count(*) as pairs,
        -- exact sums: the same means on every run (macros/exact.sql)
        {{ arvo_exact_sum('p.baseline_score') }} as baseline_sum,
        {{ arvo_exact_sum('p.followup_score') }} as followup_sum,
        {{ arvo_exact_sum('p.change') }} as change_sum,
        count(case when p.reached_mid then 1 end) as mid_improved

    from pairs as p
    inner join clients as c
        on c.client_id = p.client_id
    group by p.provider_id, c.segment_code, p.instrument, p.measure

)

select * from final
