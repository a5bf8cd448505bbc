-- One row per segment with clients in the period: how many clients
-- int_clients_segmented places in it and what all their services in the window cost at
-- every provider (int_clients_profiled's annual_cost, back to DECIMAL before summing,
-- so the total is exact). The one sum of a segment's costs behind mart_segment_value
-- and mart_segment_budget.

with

{{ arvo_import_ctes([
    ('clients', 'int_clients_segmented'),
    ('profiles', 'int_clients_profiled'),
]) }},

final as (

    select
        c.segment_code,
        count(*) as clients,
        -- each client's cost is an exact sum of cents (int_clients_profiled keeps it as
        -- a double feature)
        sum(cast(p.annual_cost as decimal(18, 2))) as total_cost_eur
    from clients as c
    inner join profiles as p
        on p.client_id = c.client_id
    group by c.segment_code

)

select * from final
