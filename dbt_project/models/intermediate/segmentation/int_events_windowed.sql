-- Service events that count for the period: submissions up to the period's month,
-- the latest submission of each event (provider_id + event_id) wins, dated in the window.
-- Only the window's month folders are read: no row is dated after its folder's month
-- (rule event_date_in_folder_month), so the latest version of an event dated in the
-- window was sent in a folder of the window's months, and the versions in older folders
-- lose to it anyway. The cost follows the window, not the history.

with

events as (

    select * from {{ ref('stg_lake__events') }}

),

latest_submission as (

    {{- arvo_latest_submission('events', ['provider_id', 'event_id'],
                               since=arvo_window_start_month()) }}

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
        municipality,
        submission_month

    from latest_submission
    where event_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

)

select * from final
