-- Grain: period x provider x package x instrument x timepoint, for every
-- combination with at least one eligible episode (collection window closed in
-- the window; windows still open are not counted as missing).

with

checked as (

    select * from {{ ref('int_episode_obligations_checked') }}

),

providers as (

    select * from {{ ref('stg_definitions__providers') }}

),

aggregated as (

    select
        provider_id,
        package_code,
        instrument,
        timepoint,
        count(*) as eligible_episodes,
        count(*) filter (where is_collected) as collected,
        max(min_rate) as min_rate
    from checked
    group by provider_id, package_code, instrument, timepoint

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(a.provider_id as varchar) as provider_id,
        cast(pr.provider_name as varchar) as provider_name,
        cast(a.package_code as varchar) as package_code,
        cast(a.instrument as varchar) as instrument,
        cast(a.timepoint as varchar) as timepoint,
        cast(a.eligible_episodes as bigint) as eligible_episodes,
        cast(a.collected as bigint) as collected,
        cast(a.collected / a.eligible_episodes as double) as rate,
        cast(a.min_rate as double) as min_rate,
        cast(a.collected / a.eligible_episodes >= a.min_rate as boolean) as meets_obligation

    from aggregated as a
    left join providers as pr
        on pr.provider_id = a.provider_id

)

select * from final
