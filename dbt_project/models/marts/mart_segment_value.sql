-- Grain: period x segment (every defined segment, also one without clients).
-- What each need-based segment's clients cost (all their services in the window): its
-- size, share and cost per client. How its clients' outcomes moved is
-- mart_segment_outcomes (per segment and instrument). No ratio of the two: a segment's
-- costs are everything its clients use, mostly not what produced the gain, so a ratio
-- would make high-need care read as poor value. Cost-effectiveness (cost per unit of
-- gain, per QALY) is judged where costs and gains belong to the same episodes:
-- mart_provider_measure_value.

with

{{ arvo_import_ctes([
    ('segments', 'stg_definitions__segments'),
    ('segment_costs', 'int_segments_costed'),
]) }},

all_costs as (

    select
        sum(clients) as clients,
        sum(total_cost_eur) as total_cost_eur
    from segment_costs

),

final as (

    select
        {{ arvo_segment_columns('s') }},
        cast(s.kaiser_level as varchar) as kaiser_level,
        cast(s.priority as integer) as priority,
        cast(coalesce(sc.clients, 0) as bigint) as clients,
        cast(coalesce(sc.clients, 0) / nullif(a.clients, 0) as double) as client_share,
        cast(coalesce(sc.total_cost_eur, 0) as decimal(18, 2)) as total_cost_eur,
        cast(sc.total_cost_eur / nullif(sc.clients, 0) as decimal(18, 4))
            as cost_per_client_eur,
        cast(coalesce(sc.total_cost_eur, 0) / nullif(a.total_cost_eur, 0) as double)
            as cost_share

    from segments as s
    cross join all_costs as a
    left join segment_costs as sc
        on sc.segment_code = s.segment_code

)

{{ arvo_final_with_version() }}
