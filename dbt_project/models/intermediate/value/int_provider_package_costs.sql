-- One row per provider x package with a costed episode in the window
-- (int_episodes_costed): the provider's episodes of the package, their distinct
-- clients, events and cost (DECIMAL euros, exact). The one aggregation of episode
-- costs behind mart_provider_value and mart_provider_measure_value.

with

episodes as (

    select * from {{ ref('int_episodes_costed') }}

),

final as (

    select
        provider_id,
        package_code,
        count(*) as episodes,
        count(distinct client_id) as clients,
        sum(events) as events,
        cast(sum(cost_eur) as decimal(18, 2)) as total_cost_eur

    from episodes
    group by provider_id, package_code

)

select * from final
