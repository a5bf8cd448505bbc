-- One row per provider x segment with pairs: the pairs on each instrument's primary
-- measure (int_pairs_assessed) of the provider's episodes, attributed to the segment
-- int_clients_segmented places the episode's client in for the period, as counts and
-- sums of EQ-5D-5L and PHQ-9 scores (means = sum / pairs, at any roll-up) and the
-- pairs that reached the measure's minimal important difference. The one
-- attribution of pairs to segments behind mart_segment_value (per segment) and
-- mart_provider_segment_value (per provider and segment, with the peers).

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
        count(case when p.instrument = 'EQ5D5L' then 1 end) as eq5d_pairs,
        -- exact sums: the same means on every run (macros/exact.sql)
        {{ arvo_exact_sum("case when p.instrument = 'EQ5D5L' then p.baseline_score end") }}
            as eq5d_baseline_sum,
        {{ arvo_exact_sum("case when p.instrument = 'EQ5D5L' then p.followup_score end") }}
            as eq5d_followup_sum,
        {{ arvo_exact_sum("case when p.instrument = 'EQ5D5L' then p.change end") }}
            as eq5d_change_sum,
        count(case when p.instrument = 'EQ5D5L' and p.reached_mid then 1 end)
            as eq5d_mid_improved,
        count(case when p.instrument = 'PHQ9' then 1 end) as phq9_pairs,
        {{ arvo_exact_sum("case when p.instrument = 'PHQ9' then p.baseline_score end") }}
            as phq9_baseline_sum,
        {{ arvo_exact_sum("case when p.instrument = 'PHQ9' then p.change end") }}
            as phq9_change_sum,
        count(case when p.instrument = 'PHQ9' and p.reached_mid then 1 end)
            as phq9_mid_improved

    from pairs as p
    inner join clients as c
        on c.client_id = p.client_id
    group by p.provider_id, c.segment_code

)

select * from final
