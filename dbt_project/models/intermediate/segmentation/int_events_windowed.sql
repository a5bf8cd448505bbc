-- Service events that count for the period: submissions up to the period's month,
-- the latest submission of each event (provider_id + event_id) wins, dated in the window.

with

events as (

    select * from {{ ref('stg_lake__events') }}

),

submitted_by_period as (

    select *
    from events
    where submission_month <= '{{ arvo_period() }}'

),

latest_submission as (

    select *
    from submitted_by_period
    qualify row_number() over (
        partition by provider_id, event_id
        order by submission_month desc, source_row desc
    ) = 1

),

final as (

    select
        provider_id,
        event_id,
        client_id,
        birth_date,
        sex,
        episode_id,
        event_date,
        service_code,
        diagnosis,
        cost_eur,
        submission_month

    from latest_submission
    where event_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

)

select * from final
