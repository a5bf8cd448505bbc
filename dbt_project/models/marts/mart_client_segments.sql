-- Grain: period x client_id (pseudonymised). Each client's segment in the period (the
-- clients of int_clients_segmented: those with a service event in the 12-month window),
-- kept per period so that the follow-up (arvo/follow_up/) can count how many clients moved
-- from each segment to each other between two periods. Record-level: the reports show
-- only aggregates of at least 5 clients (arvo/report/disclosure.py).

with

clients as (

    select * from {{ ref('int_clients_segmented') }}

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(client_id as varchar) as client_id,
        cast(segment_code as varchar) as segment_code
    from clients

)

{{ arvo_final_with_version() }}
