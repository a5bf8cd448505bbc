-- PROM responses as known at the end of the period (latest submission of each
-- provider_id + response_id wins), each with its instrument's primary score
-- (EQ-5D index, PHQ-9 / GAD-7 total, PROMIS GPH T-score, KCCQ-12 summary, Oxford
-- total): the primary rows of int_prom_measures_scored, where the scoring lives.
-- Pairing and compliance read this model; every measure is in the measures model.

with

measures as (

    select * from {{ ref('int_prom_measures_scored') }}

),

final as (

    select
        provider_id,
        response_id,
        episode_id,
        client_id,
        instrument,
        timepoint,
        response_date,
        measure,
        score,
        band,
        submission_month

    from measures
    where is_primary

)

select * from final
