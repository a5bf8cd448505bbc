-- Grain: period x segment_code x draft_segment_code (pairs with clients only). How
-- the draft segmentation would move the window's clients: clients of each current
-- segment placed in each draft segment, and their window costs (the crosstab of the
-- definition report; without a draft every client stays). `is_small`: fewer than 5.

with

clients as (

    select * from {{ ref('int_clients_described') }}

),

aggregated as (

    select
        segment_code,
        draft_segment_code,
        count(*) as clients,
        sum(cost_eur) as cost_eur
    from clients
    group by segment_code, draft_segment_code

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(segment_code as varchar) as segment_code,
        cast(draft_segment_code as varchar) as draft_segment_code,
        cast(clients as bigint) as clients,
        cast(cost_eur as decimal(18, 2)) as cost_eur,
        {{ arvo_is_small('clients') }} as is_small

    from aggregated

)

{{ arvo_final_with_version() }}
