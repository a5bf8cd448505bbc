-- Grain: period x top_share. For each share of clients with the highest window
-- costs (ceil(top_share x clients), by int_clients_profiled.cost_rank: ties broken by
-- client_id), the share of all costs they account for. Euros are exact decimals (int_clients_profiled.annual_cost);
-- the share is their quotient, the same on every run.

with

profiles as (

    select * from {{ ref('int_clients_profiled') }}

),

top_shares as (

    select cast(top_share as decimal(5, 4)) as top_share
    from (
        values {% for share in var('cost_concentration_shares', [0.01, 0.05, 0.10, 0.20, 0.50]) -%}
        ({{ share }}){{ ', ' if not loop.last }}
        {%- endfor %}
    ) as shares (top_share)

),

totals as (

    select
        count(*) as clients_total,
        coalesce(sum(annual_cost), 0) as cost_total_eur
    from profiles

),

cutoffs as (

    select
        s.top_share,
        cast(ceil(s.top_share * t.clients_total) as bigint) as clients_in_top,
        t.clients_total,
        t.cost_total_eur
    from top_shares as s
    cross join totals as t

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(c.top_share as double) as top_share,
        cast(c.clients_in_top as bigint) as clients_in_top,
        cast(c.clients_total as bigint) as clients_total,
        cast(coalesce(sum(r.annual_cost), 0) as decimal(18, 2)) as cost_in_top_eur,
        cast(c.cost_total_eur as decimal(18, 2)) as cost_total_eur,
        cast(coalesce(sum(r.annual_cost), 0) / nullif(c.cost_total_eur, 0) as double)
            as cost_share

    from cutoffs as c
    left join profiles as r
        on r.cost_rank <= c.clients_in_top
    group by c.top_share, c.clients_in_top, c.clients_total, c.cost_total_eur

)

{{ arvo_final_with_version() }}
