-- Episodes as known at the end of the period: submissions up to the period's month,
-- the latest submission of each episode (provider_id + episode_id) wins, so an
-- episode re-sent with its end_date replaces the open one. Not limited to the window:
-- an episode that started before it can still close a collection window inside it.

with

episodes as (

    select * from {{ ref('stg_lake__episodes') }}

),

latest_submission as (

    {{- arvo_latest_submission('episodes', ['provider_id', 'episode_id']) }}

),

final as (

    select
        provider_id,
        episode_id,
        client_id,
        birth_date,
        sex,
        package_code,
        start_date,
        end_date,
        {{- arvo_case_mix_columns(cast=false) }},
        submission_month

    from latest_submission

)

select * from final
