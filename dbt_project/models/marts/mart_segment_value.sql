-- Grain: period x segment (every defined segment, also one without clients).
-- What each need-based segment costs (all its clients' services) and how its clients'
-- outcomes moved: mean gain on the primary measures with pairs and the share of pairs
-- reaching the measure's minimal important difference. No ratio of the two: a segment's
-- costs are everything its clients use, mostly not what produced the gain, so a ratio
-- would make high-need care read as poor value. Cost-effectiveness (cost per unit of
-- gain, per QALY) is judged where costs and gains belong to the same episodes:
-- mart_provider_measure_value.

with

-- provider_pairs: pairs on each instrument's primary measure, in the segment of their client
{{ arvo_import_ctes([
    ('segments', 'stg_definitions__segments'),
    ('clients', 'int_clients_segmented'),
    ('profiles', 'int_clients_profiled'),
    ('provider_pairs', 'int_segment_pairs_aggregated'),
]) }},

client_costs as (

    select
        c.client_id,
        c.segment_code,
        -- each client's cost is an exact sum of cents (int_clients_profiled keeps it as
        -- a double feature): back to DECIMAL before summing, so the totals are exact
        cast(p.annual_cost as decimal(18, 2)) as annual_cost
    from clients as c
    inner join profiles as p
        on p.client_id = c.client_id

),

segment_costs as (

    select
        segment_code,
        count(*) as clients,
        sum(annual_cost) as total_cost_eur
    from client_costs
    group by segment_code

),

all_costs as (

    select
        count(*) as clients,
        sum(annual_cost) as total_cost_eur
    from client_costs

),

segment_pairs as (

    select
        segment_code,
        sum(eq5d_pairs) as eq5d_pairs,
        sum(eq5d_baseline_sum) / nullif(sum(eq5d_pairs), 0) as eq5d_baseline_mean,
        sum(eq5d_followup_sum) / nullif(sum(eq5d_pairs), 0) as eq5d_followup_mean,
        sum(eq5d_change_sum) / nullif(sum(eq5d_pairs), 0) as eq5d_change_mean,
        sum(eq5d_mid_improved) as eq5d_mid_improved,
        sum(phq9_pairs) as phq9_pairs,
        sum(phq9_baseline_sum) / nullif(sum(phq9_pairs), 0) as phq9_baseline_mean,
        sum(phq9_change_sum) / nullif(sum(phq9_pairs), 0) as phq9_change_mean,
        sum(phq9_mid_improved) as phq9_mid_improved
    from provider_pairs
    group by segment_code

),

joined as (

    select
        s.segment_code,
        s.name_fi as segment_name_fi,
        s.name_en as segment_name_en,
        s.kaiser_level,
        s.priority,
        coalesce(sc.clients, 0) as clients,
        coalesce(sc.clients, 0) / nullif(a.clients, 0) as client_share,
        coalesce(sc.total_cost_eur, 0) as total_cost_eur,
        sc.total_cost_eur / nullif(sc.clients, 0) as cost_per_client_eur,
        coalesce(sc.total_cost_eur, 0) / nullif(a.total_cost_eur, 0) as cost_share,
        coalesce(sp.eq5d_pairs, 0) as eq5d_pairs,
        sp.eq5d_baseline_mean,
        sp.eq5d_followup_mean,
        sp.eq5d_change_mean,
        coalesce(sp.eq5d_mid_improved, 0) as eq5d_mid_improved,
        coalesce(sp.phq9_pairs, 0) as phq9_pairs,
        sp.phq9_baseline_mean,
        sp.phq9_change_mean,
        coalesce(sp.phq9_mid_improved, 0) as phq9_mid_improved
    from segments as s
    cross join all_costs as a
    left join segment_costs as sc
        on sc.segment_code = s.segment_code
    left join segment_pairs as sp
        on sp.segment_code = s.segment_code

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(segment_code as varchar) as segment_code,
        cast(segment_name_fi as varchar) as segment_name_fi,
        cast(segment_name_en as varchar) as segment_name_en,
        cast(kaiser_level as varchar) as kaiser_level,
        cast(priority as integer) as priority,
        cast(clients as bigint) as clients,
        cast(client_share as double) as client_share,
        cast(total_cost_eur as decimal(18, 2)) as total_cost_eur,
        cast(cost_per_client_eur as decimal(18, 4)) as cost_per_client_eur,
        cast(cost_share as double) as cost_share,
        cast(eq5d_pairs as bigint) as eq5d_pairs,
        cast(eq5d_baseline_mean as double) as eq5d_baseline_mean,
        cast(eq5d_followup_mean as double) as eq5d_followup_mean,
        cast(eq5d_change_mean as double) as eq5d_change_mean,
        cast(phq9_pairs as bigint) as phq9_pairs,
        cast(phq9_baseline_mean as double) as phq9_baseline_mean,
        cast(phq9_change_mean as double) as phq9_change_mean,
        -- pairs whose gain reached the MID (seed prom_measures), and their share
        cast(eq5d_mid_improved as bigint) as eq5d_mid_improved,
        cast(1.0 * eq5d_mid_improved / nullif(eq5d_pairs, 0) as double) as eq5d_mid_share,
        cast(phq9_mid_improved as bigint) as phq9_mid_improved,
        cast(1.0 * phq9_mid_improved / nullif(phq9_pairs, 0) as double) as phq9_mid_share,
        -- the value set the EQ-5D-5L indexes of this run were scored with
        cast({{ arvo_value_set("'EQ5D5L'") }} as varchar) as eq5d_value_set

    from joined

)

{{ arvo_final_with_version() }}
