-- Grain: period x combination. The most typical combinations of service types used in
-- the window by the costliest clients (is_top_share of int_clients_described, the top
-- decile by default): each client's set of service codes, sorted and joined with ' + ',
-- and the clients with exactly that set; the var definition_top_combinations (default
-- 10) most common, ranked by clients (ties: combination). `is_small`: fewer than 5
-- clients, suppressed in the reports.

with

{{ arvo_import_ctes([
    ('clients', 'int_clients_described'),
    ('events', 'int_events_windowed'),
]) }},

client_services as (

    select distinct
        e.client_id,
        e.service_code
    from events as e
    inner join clients as c
        on c.client_id = e.client_id
    where c.is_top_share

),

client_combinations as (

    select
        client_id,
        count(*) as service_types,
        {{ dbt.listagg('service_code', "' + '", 'order by service_code') }} as combination
    from client_services
    group by client_id

),

counted as (

    select
        combination,
        max(service_types) as service_types,
        count(*) as clients
    from client_combinations
    group by combination

),

ranked as (

    select
        *,
        row_number() over (order by clients desc, combination) as combination_rank,
        sum(clients) over () as top_clients
    from counted

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(combination as varchar) as combination,
        cast(combination_rank as integer) as combination_rank,
        cast(service_types as integer) as service_types,
        cast(clients as bigint) as clients,
        cast(1.0 * clients / top_clients as double) as client_share,
        {{ arvo_is_small('clients') }} as is_small

    from ranked
    where combination_rank <= {{ var('definition_top_combinations', 10) | int }}

)

{{ arvo_final_with_version() }}
