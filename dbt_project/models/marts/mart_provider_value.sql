-- Grain: period x provider x package, for every package of which the provider has an
-- episode with a service event in the window (int_episodes_costed): the provider's
-- episodes of the package and their distinct clients, the cost of the events it reported
-- under those episodes in the window (which costs count: int_episodes_costed), and cost
-- per episode and per client. Money is DECIMAL euros: totals exact, per-episode and
-- per-client figures to 4 decimals; the reports round them only when shown. The outcomes
-- beside these costs, and cost per unit of gain and per QALY: mart_provider_measure_value.

with

{{ arvo_import_ctes([
    ('costs', 'int_provider_package_costs'),
    ('providers', 'stg_definitions__providers'),
]) }},

final as (

    select
        {{ arvo_provider_columns('c') }},
        cast(pr.sector as varchar) as sector,
        cast(c.package_code as varchar) as package_code,
        cast(c.episodes as bigint) as episodes,
        cast(c.clients as bigint) as clients,
        cast(c.events as bigint) as events,
        cast(c.total_cost_eur as decimal(18, 2)) as total_cost_eur,
        cast(c.total_cost_eur / c.episodes as decimal(18, 4)) as cost_per_episode_eur,
        cast(c.total_cost_eur / c.clients as decimal(18, 4)) as cost_per_client_eur

    from costs as c
    left join providers as pr
        on pr.provider_id = c.provider_id

)

{{ arvo_final_with_version() }}
