-- Grain: period x domain x service_code x provider_sector. Service use in the window by
-- domain (social or health care, definitions/service_types.yml), service type and the
-- sector of the provider that gave it (public, private, third): distinct clients,
-- events and cost, with the service type's names (service_types.yml). `is_small`:
-- fewer than 5 clients.

with

{{ arvo_import_ctes([
    ('events', 'int_events_windowed'),
    ('service_types', 'stg_definitions__service_types'),
    ('providers', 'stg_definitions__providers'),
]) }},

aggregated as (

    select
        coalesce(s.domain, 'unknown') as domain,
        e.service_code,
        max(s.name_fi) as service_name_fi,
        max(s.name_en) as service_name_en,
        coalesce(p.sector, 'unknown') as provider_sector,
        count(distinct e.client_id) as clients,
        count(*) as events,
        sum(e.cost_eur) as cost_eur
    from events as e
    left join service_types as s
        on s.service_code = e.service_code
    left join providers as p
        on p.provider_id = e.provider_id
    group by coalesce(s.domain, 'unknown'), e.service_code, coalesce(p.sector, 'unknown')

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(domain as varchar) as domain,
        cast(service_code as varchar) as service_code,
        cast(service_name_fi as varchar) as service_name_fi,
        cast(service_name_en as varchar) as service_name_en,
        cast(provider_sector as varchar) as provider_sector,
        cast(clients as bigint) as clients,
        cast(events as bigint) as events,
        cast(cost_eur as decimal(18, 2)) as cost_eur,
        {{ arvo_is_small('clients') }} as is_small

    from aggregated

)

{{ arvo_final_with_version() }}
