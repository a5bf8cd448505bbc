-- One row per client (client_id: a pseudonymised person with a service event in the
-- window) with what the definition phase describes the population by: age group, sex,
-- home municipality (the latest one sent in the window; 'unknown' when none), window
-- cost in exact euros and its rank from the costliest, whether the client is among the
-- costliest share (var definition_top_share, default 0.10: the top decile), the
-- domains (social, health), providers and service types used, and the client's current
-- and draft segment.

with

{{ arvo_import_ctes([
    ('profiles', 'int_clients_profiled'),
    ('segmented', 'int_clients_segmented'),
    ('draft', 'int_clients_draft_segmented'),
    ('events', 'int_events_windowed'),
]) }},

municipalities as (

    select
        client_id,
        municipality,
        event_date,
        submission_month,
        provider_id,
        event_id
    from events
    where municipality is not null

),

home as (

    -- the latest municipality sent in the window
    {{- arvo_first_ranked('municipalities', ['client_id'],
                          ['event_date desc', 'submission_month desc', 'provider_id',
                           'event_id']) }}

),

final as (

    select
        p.client_id,
        p.age,
        case
            when p.age is null then 'unknown'
            when p.age < 18 then '0-17'
            when p.age < 65 then '18-64'
            when p.age < 75 then '65-74'
            when p.age < 85 then '75-84'
            else '85+'
        end as age_group,
        coalesce(p.sex, 'unknown') as sex,
        coalesce(h.municipality, 'unknown') as municipality,
        p.events,
        p.providers,
        p.service_types,
        p.social_service_types,
        p.health_service_types,
        cast(case when p.social_service_types > 0 then 1 else 0 end
            + case when p.health_service_types > 0 then 1 else 0 end as integer)
            as domains_used,
        p.chronic_conditions,
        cast(p.annual_cost as decimal(18, 2)) as cost_eur,
        cast(p.cost_rank as bigint) as cost_rank,
        cast(count(*) over () as bigint) as clients_total,
        p.cost_rank <= ceil({{ var('definition_top_share', 0.10) }} * count(*) over ())
            as is_top_share,
        s.segment_code,
        d.segment_code as draft_segment_code

    from profiles as p
    left join home as h
        on h.client_id = p.client_id
    left join segmented as s
        on s.client_id = p.client_id
    left join draft as d
        on d.client_id = p.client_id

)

select * from final
