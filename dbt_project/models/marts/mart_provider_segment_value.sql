-- Grain: period x provider x segment. A provider's clients in a segment are the
-- segment's clients with an event at the provider in the window; cost is their
-- cost at that provider. Pairs are attributed to the provider of the episode;
-- peer_* is the same measure over all other providers' pairs in the segment.
-- No ratio of cost to gain (see mart_segment_value): the MID shares say how many
-- clients' outcomes moved by an amount that matters.

with

-- provider_pairs: pairs on each instrument's primary measure, in the segment of their client
{{ arvo_import_ctes([
    ('events', 'int_events_windowed'),
    ('clients', 'int_clients_segmented'),
    ('provider_pairs', 'int_segment_pairs_aggregated'),
    ('providers', 'stg_definitions__providers'),
]) }},

provider_clients as (

    select
        e.provider_id,
        c.segment_code,
        count(distinct e.client_id) as clients,
        sum(cast(e.cost_eur as decimal(18, 2))) as total_cost_eur
    from events as e
    inner join clients as c
        on c.client_id = e.client_id
    group by e.provider_id, c.segment_code

),

segment_pairs as (

    select
        segment_code,
        sum(eq5d_pairs) as eq5d_pairs,
        sum(eq5d_change_sum) as eq5d_change_sum,
        sum(phq9_pairs) as phq9_pairs,
        sum(phq9_change_sum) as phq9_change_sum
    from provider_pairs
    group by segment_code

),

provider_segments as (

    select
        coalesce(pc.provider_id, pp.provider_id) as provider_id,
        coalesce(pc.segment_code, pp.segment_code) as segment_code,
        coalesce(pc.clients, 0) as clients,
        coalesce(pc.total_cost_eur, 0) as total_cost_eur,
        coalesce(pp.eq5d_pairs, 0) as eq5d_pairs,
        coalesce(pp.eq5d_change_sum, 0) as eq5d_change_sum,
        coalesce(pp.eq5d_mid_improved, 0) as eq5d_mid_improved,
        coalesce(pp.phq9_pairs, 0) as phq9_pairs,
        coalesce(pp.phq9_change_sum, 0) as phq9_change_sum,
        coalesce(pp.phq9_mid_improved, 0) as phq9_mid_improved
    from provider_clients as pc
    full outer join provider_pairs as pp
        on {{ arvo_same_keys('pp', 'pc', ['provider_id', 'segment_code']) }}

),

measured as (

    select
        ps.provider_id,
        ps.segment_code,
        ps.clients,
        ps.total_cost_eur,
        ps.total_cost_eur / nullif(ps.clients, 0) as cost_per_client_eur,
        ps.eq5d_pairs,
        ps.eq5d_change_sum / nullif(ps.eq5d_pairs, 0) as eq5d_change_mean,
        (coalesce(sp.eq5d_change_sum, 0) - ps.eq5d_change_sum)
            / nullif(coalesce(sp.eq5d_pairs, 0) - ps.eq5d_pairs, 0) as peer_eq5d_change_mean,
        ps.eq5d_mid_improved,
        ps.phq9_pairs,
        ps.phq9_change_sum / nullif(ps.phq9_pairs, 0) as phq9_change_mean,
        ps.phq9_mid_improved,
        (coalesce(sp.phq9_change_sum, 0) - ps.phq9_change_sum)
            / nullif(coalesce(sp.phq9_pairs, 0) - ps.phq9_pairs, 0) as peer_phq9_change_mean
    from provider_segments as ps
    left join segment_pairs as sp
        on sp.segment_code = ps.segment_code

),

final as (

    select
        {{ arvo_provider_columns('m') }},
        cast(pr.sector as varchar) as sector,
        cast(m.segment_code as varchar) as segment_code,
        cast(m.clients as bigint) as clients,
        cast(m.total_cost_eur as decimal(18, 2)) as total_cost_eur,
        cast(m.cost_per_client_eur as decimal(18, 4)) as cost_per_client_eur,
        cast(m.eq5d_pairs as bigint) as eq5d_pairs,
        cast(m.eq5d_change_mean as double) as eq5d_change_mean,
        cast(m.peer_eq5d_change_mean as double) as peer_eq5d_change_mean,
        cast(m.phq9_pairs as bigint) as phq9_pairs,
        cast(m.phq9_change_mean as double) as phq9_change_mean,
        cast(m.peer_phq9_change_mean as double) as peer_phq9_change_mean,
        cast(m.eq5d_mid_improved as bigint) as eq5d_mid_improved,
        cast(1.0 * m.eq5d_mid_improved / nullif(m.eq5d_pairs, 0) as double) as eq5d_mid_share,
        cast(m.phq9_mid_improved as bigint) as phq9_mid_improved,
        cast(1.0 * m.phq9_mid_improved / nullif(m.phq9_pairs, 0) as double) as phq9_mid_share

    from measured as m
    left join providers as pr
        on pr.provider_id = m.provider_id

)

{{ arvo_final_with_version() }}
