-- One row per client (a pseudonymised person with at least one service event in
-- the window) with the segmentation features of definitions/segments.yml, computed
-- over the window. Feature columns carry exactly the feature names the rules use.

with

{{ arvo_import_ctes([
    ('events', 'int_events_windowed'),
    ('service_types', 'stg_definitions__service_types'),
    ('chronic_conditions', 'stg_definitions__chronic_conditions'),
]) }},

-- aggregate in steps (client x diagnosis, client x service, client x provider):
-- far cheaper than count(distinct ...) over all events
client_diagnoses as (

    select distinct
        client_id,
        diagnosis
    from events
    where diagnosis is not null

),

diagnosis_groups as (

    select distinct
        d.diagnosis,
        c.condition_group
    from (select distinct diagnosis from client_diagnoses) as d
    inner join chronic_conditions as c
        on {{ arvo_starts_with("replace(d.diagnosis, '.', '')", 'c.icd10_prefix') }}

),

client_conditions as (

    select
        d.client_id,
        count(distinct g.condition_group) as chronic_conditions
    from client_diagnoses as d
    inner join diagnosis_groups as g
        on g.diagnosis = d.diagnosis
    group by d.client_id

),

client_service_codes as (

    select
        client_id,
        service_code,
        max(birth_date) as birth_date,
        max(sex) as sex,
        count(*) as events,
        sum(cost_eur) as cost_eur
    from events
    group by client_id, service_code

),

client_services as (

    select
        c.client_id,
        max(c.birth_date) as birth_date,
        max(c.sex) as sex,
        sum(c.events) as events,
        sum(c.cost_eur) as annual_cost,
        count(*) as service_types,
        count(case when s.domain = 'social' then 1 end) as social_service_types,
        count(case when s.domain = 'health' then 1 end) as health_service_types
    from client_service_codes as c
    left join service_types as s
        on s.service_code = c.service_code
    group by c.client_id

),

client_providers as (

    select
        client_id,
        count(*) as providers
    from (select distinct client_id, provider_id from events) as client_provider_pairs
    group by client_id

),

final as (

    select
        s.client_id,
        s.birth_date,
        s.sex,
        cast(s.events as integer) as events,
        cast(p.providers as integer) as providers,

        -- features (definitions/segments.yml)
        cast({{ age_in_years('s.birth_date', arvo_period_end()) }} as integer) as age,
        cast(coalesce(c.chronic_conditions, 0) as integer) as chronic_conditions,
        cast(s.annual_cost as decimal(18, 2)) as annual_cost,  -- exact euros
        cast(percent_rank() over (order by s.annual_cost) as double) as cost_percentile,
        cast(s.social_service_types as integer) as social_service_types,
        cast(s.health_service_types as integer) as health_service_types,
        cast(s.service_types as integer) as service_types,

        -- the client's place from the costliest (ties by client_id): the one ranking
        -- of window costs the cost marts and the definition phase read
        cast(row_number() over (order by s.annual_cost desc, s.client_id) as bigint)
            as cost_rank

    from client_services as s
    inner join client_providers as p
        on p.client_id = s.client_id
    left join client_conditions as c
        on c.client_id = s.client_id

)

select * from final
