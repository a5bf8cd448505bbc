-- Grain: period x provider x package x instrument: paired outcomes on each instrument's
-- primary measure (EQ-5D index, PHQ-9 total, ...) of the provider's episodes of a package,
-- against all other providers of the package. Every measure: mart_provider_measure_outcomes.
-- How the reports show a score (label, decimals, direction, MID) and the value set it
-- was scored with come along from seed prom_measures and the run's vars.
-- The aggregation and the peers are int_provider_outcomes_aggregated's.

with

outcomes as (

    -- each instrument's primary measure (EQ-5D index, PHQ-9 total, ...)
    select * from {{ ref('int_provider_outcomes_aggregated') }}
    where is_primary

),

prom_measures as (

    select * from {{ ref('prom_measures') }}
    where is_primary

),

providers as (

    select * from {{ ref('stg_definitions__providers') }}

),

final as (

    select
        {{ arvo_provider_columns('o', ['package_code', 'instrument']) }},
        cast(o.pairs as bigint) as pairs,
        cast(o.baseline_mean as double) as baseline_mean,
        cast(o.followup_mean as double) as followup_mean,
        cast(o.change_mean as double) as change_mean,
        cast(o.change_sd as double) as change_sd,
        cast(o.peer_pairs as bigint) as peer_pairs,
        cast(o.peer_change_sum / nullif(o.peer_pairs, 0) as double) as peer_change_mean,
        -- how the reports show the score, and what it was scored with
        cast(m.measure as varchar) as measure,
        {{ arvo_measure_display('m') }},
        cast({{ arvo_value_set('o.instrument') }} as varchar) as value_set

    from outcomes as o
    left join prom_measures as m
        on m.instrument = o.instrument
    left join providers as pr
        on pr.provider_id = o.provider_id

)

{{ arvo_final_with_version() }}
