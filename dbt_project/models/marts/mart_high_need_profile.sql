-- Grain: period x client_group (top_share: the ceil(0.10 x clients) costliest clients
-- of the window, var definition_top_share, ties broken by client_id as in
-- mart_cost_concentration; others; all). Per group: clients, cost and its share of all
-- costs, the mean number of domains (social, health care), providers and service types
-- used, and the share using both social and health care (the high-need, high-cost
-- picture of county analyses: docs/definition.md). `is_small`: fewer than 5 clients.

with

clients as (

    select * from {{ ref('int_clients_described') }}

),

grouped as (

    select
        case when is_top_share then 'top_share' else 'others' end as client_group,
        *
    from clients

    union all

    select
        'all' as client_group,
        *
    from clients

),

totals as (

    select coalesce(sum(cost_eur), 0) as cost_total_eur
    from clients

),

aggregated as (

    select
        client_group,
        count(*) as clients,
        sum(cost_eur) as cost_eur,
        avg(cast(domains_used as double)) as mean_domains,
        avg(cast(providers as double)) as mean_providers,
        avg(cast(service_types as double)) as mean_service_types,
        avg(case when domains_used = 2 then 1.0 else 0.0 end) as both_domains_share
    from grouped
    group by client_group

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(a.client_group as varchar) as client_group,
        cast({{ var('definition_top_share', 0.10) }} as double) as top_share,
        cast(a.clients as bigint) as clients,
        cast(a.cost_eur as decimal(18, 2)) as cost_eur,
        cast(a.cost_eur / nullif(t.cost_total_eur, 0) as double) as cost_share,
        cast(a.mean_domains as double) as mean_domains,
        cast(a.mean_providers as double) as mean_providers,
        cast(a.mean_service_types as double) as mean_service_types,
        cast(a.both_domains_share as double) as both_domains_share,
        {{ arvo_is_small('a.clients') }} as is_small

    from aggregated as a
    cross join totals as t

)

{{ arvo_final_with_version() }}
