-- Grain: period x segmentation (current: definitions/segments.yml; draft: the draft of
-- `arvo define --segments`, the current one when none is given) x segment_code. Every
-- segment, with its window's clients: size and share, mean age, chronic conditions and
-- service types, cost (total, per client, share), the current outcomes of its clients
-- (int_pairs_assessed: pairs of each instrument's primary measure, and of those with a
-- minimal important difference the share that reached it) and PROM coverage (eligible
-- baseline windows and the share collected: int_baseline_windows_collected, as
-- mart_objective_attainment counts them). `is_small`: fewer than 5 clients.

with

{{ arvo_import_ctes([
    ('clients', 'int_clients_described'),
    ('current_segments', 'stg_definitions__segments'),
    ('draft_segments', 'stg_definitions__draft_segments'),
    ('pairs', 'int_pairs_assessed'),
    ('baseline_windows', 'int_baseline_windows_collected'),
]) }},

segments as (

    select 'current' as segmentation, * from current_segments
    union all
    select 'draft' as segmentation, * from draft_segments

),

placed as (

    select 'current' as segmentation, client_id, segment_code, age, chronic_conditions,
        service_types, cost_eur
    from clients
    union all
    select 'draft' as segmentation, client_id, draft_segment_code as segment_code, age,
        chronic_conditions, service_types, cost_eur
    from clients

),

totals as (

    select
        count(*) as clients_total,
        coalesce(sum(cost_eur), 0) as cost_total_eur
    from clients

),

client_outcomes as (

    -- per client: pairs of each instrument's primary measure, those of a measure with a
    -- minimal important difference, and those that reached it
    select
        client_id,
        count(*) as pairs,
        count(reached_mid) as mid_pairs,
        count(case when reached_mid then 1 end) as mid_reached
    from pairs
    group by client_id

),

client_coverage as (

    select
        client_id,
        count(*) as baseline_windows,
        count(case when is_collected then 1 end) as baseline_collected
    from baseline_windows
    group by client_id

),

profiled as (

    select
        p.segmentation,
        p.segment_code,
        count(*) as clients,
        avg(cast(p.age as double)) as mean_age,
        avg(cast(p.chronic_conditions as double)) as mean_chronic_conditions,
        avg(cast(p.service_types as double)) as mean_service_types,
        sum(p.cost_eur) as cost_eur,
        cast(sum(o.pairs) as bigint) as pairs,
        cast(sum(o.mid_pairs) as bigint) as mid_pairs,
        cast(sum(o.mid_reached) as bigint) as mid_reached,
        cast(sum(c.baseline_windows) as bigint) as baseline_windows,
        cast(sum(c.baseline_collected) as bigint) as baseline_collected
    from placed as p
    left join client_outcomes as o
        on o.client_id = p.client_id
    left join client_coverage as c
        on c.client_id = p.client_id
    group by p.segmentation, p.segment_code

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(s.segmentation as varchar) as segmentation,
        cast(s.segment_code as varchar) as segment_code,
        cast(s.priority as integer) as priority,
        cast(s.kaiser_level as varchar) as kaiser_level,
        cast(s.name_fi as varchar) as name_fi,
        cast(s.name_en as varchar) as name_en,
        cast(s.name_sv as varchar) as name_sv,
        cast(coalesce(f.clients, 0) as bigint) as clients,
        cast(coalesce(f.clients, 0) * 1.0 / nullif(t.clients_total, 0) as double)
            as client_share,
        cast(f.mean_age as double) as mean_age,
        cast(f.mean_chronic_conditions as double) as mean_chronic_conditions,
        cast(f.mean_service_types as double) as mean_service_types,
        cast(coalesce(f.cost_eur, 0) as decimal(18, 2)) as cost_eur,
        cast(f.cost_eur / nullif(f.clients, 0) as decimal(18, 2)) as cost_per_client_eur,
        cast(coalesce(f.cost_eur, 0) / nullif(t.cost_total_eur, 0) as double) as cost_share,
        cast(coalesce(f.pairs, 0) as bigint) as pairs,
        cast(coalesce(f.mid_pairs, 0) as bigint) as mid_pairs,
        cast(coalesce(f.mid_reached, 0) as bigint) as mid_reached,
        cast(f.mid_reached * 1.0 / nullif(f.mid_pairs, 0) as double) as mid_share,
        cast(coalesce(f.baseline_windows, 0) as bigint) as baseline_windows,
        cast(coalesce(f.baseline_collected, 0) as bigint) as baseline_collected,
        cast(f.baseline_collected * 1.0 / nullif(f.baseline_windows, 0) as double)
            as baseline_participation_rate,
        {{ arvo_is_small('coalesce(f.clients, 0)') }} as is_small

    from segments as s
    cross join totals as t
    left join profiled as f
        on {{ arvo_same_keys('f', 's', ['segmentation', 'segment_code']) }}

)

{{ arvo_final_with_version() }}
