-- Grain: period x percentile (0, 1, ..., 100; var lorenz_step). The Lorenz curve of
-- the window's costs over clients: at percentile p, the floor(p/100 x clients)
-- clients with the lowest costs (int_clients_profiled.cost_rank read from the other
-- end, the mirror of mart_cost_concentration's ranking) and their share of all
-- costs; top_cost_share = 1 - cost_share is the share of the ceil((100-p)/100 x
-- clients) costliest, as in mart_cost_concentration. `gini`: the Gini coefficient of the costs,
-- 2 sum(i x_i) / (n sum x) - (n + 1) / n with x ascending (the same on every row).

with

clients as (

    select * from {{ ref('int_clients_described') }}

),

percentiles as (

    select cast(percentile as integer) as percentile
    from (
        values {% for p in range(0, 101, var('lorenz_step', 1) | int) -%}
        ({{ p }}){{ ', ' if not loop.last }}
        {%- endfor %}{% if 100 % (var('lorenz_step', 1) | int) != 0 %}, (100){% endif %}
    ) as points (percentile)

),

ranked as (

    -- the costliest client's rank read from the other end: ascending by cost, ties by
    -- client_id descending
    select
        cost_eur,
        clients_total + 1 - cost_rank as ascending_rank
    from clients

),

cumulated as (

    select
        ascending_rank,
        sum(cost_eur) over (
            order by ascending_rank rows between unbounded preceding and current row
        ) as cost_up_to
    from ranked

),

totals as (

    select
        count(*) as clients_total,
        coalesce(sum(cost_eur), 0) as cost_total_eur,
        -- exact: rank x decimal euros summed as decimals, the same on every run
        sum(ascending_rank * cast(cost_eur as decimal(18, 2))) as weighted
    from ranked

),

points as (

    select
        p.percentile,
        cast(floor(p.percentile * t.clients_total / 100.0) as bigint) as clients_in_bottom,
        t.clients_total,
        t.cost_total_eur,
        case
            when t.clients_total > 0 and t.cost_total_eur > 0
                then 2 * cast(t.weighted as double)
                    / (t.clients_total * cast(t.cost_total_eur as double))
                    - (t.clients_total + 1.0) / t.clients_total
        end as gini
    from percentiles as p
    cross join totals as t

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(p.percentile as integer) as percentile,
        cast(p.clients_in_bottom as bigint) as clients_in_bottom,
        cast(p.clients_total as bigint) as clients_total,
        cast(coalesce(c.cost_up_to, 0) as decimal(18, 2)) as cost_in_bottom_eur,
        cast(p.cost_total_eur as decimal(18, 2)) as cost_total_eur,
        cast(coalesce(c.cost_up_to, 0) / nullif(p.cost_total_eur, 0) as double) as cost_share,
        cast(1 - coalesce(c.cost_up_to, 0) / nullif(p.cost_total_eur, 0) as double)
            as top_cost_share,
        cast(p.gini as double) as gini

    from points as p
    left join cumulated as c
        on c.ascending_rank = p.clients_in_bottom

)

{{ arvo_final_with_version() }}
