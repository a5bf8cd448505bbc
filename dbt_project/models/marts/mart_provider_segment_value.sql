-- Grain: period x provider x segment, for every provider with a client of the segment:
-- the segment's clients with an event at the provider in the window, and their cost at
-- that provider. How the outcomes of the provider's episodes moved, per segment and
-- instrument, against the other providers': mart_provider_segment_outcomes. No ratio of
-- cost to gain (see mart_segment_value).

with

{{ arvo_import_ctes([
    ('events', 'int_events_windowed'),
    ('clients', 'int_clients_segmented'),
    ('providers', 'stg_definitions__providers'),
]) }},

provider_clients as (

    select
        e.provider_id,
        c.segment_code,
        count(distinct e.client_id) as clients,
        sum(cast(e.cost_eur as decimal(18, 2))) as total_cost_eur
    from events as e
    inner join clients as c
        on c.client_id = e.client_id
    group by e.provider_id, c.segment_code

),

final as (

    select
        {{ arvo_provider_columns('pc') }},
        cast(pr.sector as varchar) as sector,
        cast(pc.segment_code as varchar) as segment_code,
        cast(pc.clients as bigint) as clients,
        cast(pc.total_cost_eur as decimal(18, 2)) as total_cost_eur,
        cast(pc.total_cost_eur / nullif(pc.clients, 0) as decimal(18, 4))
            as cost_per_client_eur

    from provider_clients as pc
    left join providers as pr
        on pr.provider_id = pc.provider_id

)

{{ arvo_final_with_version() }}
