-- Grain: period x segment (every segment of definitions/segments.yml): what the
-- segment's clients cost now against what the payment rules would pay.
-- total_cost_eur: all the segment's clients' costs in the window, at every provider (as
-- mart_segment_value). episodes / episode_cost_eur: the costed episodes of the
-- provider x packages that have a payment rule whose client is in the segment, and what
-- their events cost now (int_episodes_costed). rule_payment_eur: what the rules pay for
-- those episodes: each provider x package's total (int_provider_payments_computed)
-- shared over the segments in proportion to its episodes, rounded to the cent per
-- provider x package x segment (so a segment's sum may differ from the exact share by
-- a cent per provider x package). difference_eur = rule_payment_eur - episode_cost_eur.

with

{{ arvo_import_ctes([
    ('segments', 'stg_definitions__segments'),
    ('segment_costs', 'int_segments_costed'),
    ('segment_episodes', 'int_segment_episodes_costed'),
]) }},

payments as (

    select * from {{ ref('int_provider_payments_computed') }}
    where line = 'total'

),

allocated as (

    select
        se.segment_code,
        se.episodes,
        se.cost_eur,
        cast(cast(pay.amount_eur as decimal(18, 2)) * se.episodes / pay.episodes
             as decimal(18, 2)) as payment_eur
    from segment_episodes as se
    inner join payments as pay
        on {{ arvo_same_keys('pay', 'se', ['provider_id', 'package_code']) }}

),

segment_payments as (

    select
        segment_code,
        sum(episodes) as episodes,
        sum(cost_eur) as episode_cost_eur,
        sum(payment_eur) as rule_payment_eur
    from allocated
    group by segment_code

),

final as (

    select
        {{ arvo_segment_columns('s') }},
        cast(s.priority as integer) as priority,
        cast(coalesce(sc.clients, 0) as bigint) as clients,
        cast(coalesce(sc.total_cost_eur, 0) as decimal(18, 2)) as total_cost_eur,
        cast(coalesce(sp.episodes, 0) as bigint) as episodes,
        cast(coalesce(sp.episode_cost_eur, 0) as decimal(18, 2)) as episode_cost_eur,
        cast(coalesce(sp.rule_payment_eur, 0) as decimal(18, 2)) as rule_payment_eur,
        cast(coalesce(sp.rule_payment_eur, 0) - coalesce(sp.episode_cost_eur, 0)
             as decimal(18, 2)) as difference_eur

    from segments as s
    left join segment_costs as sc
        on sc.segment_code = s.segment_code
    left join segment_payments as sp
        on sp.segment_code = s.segment_code

)

{{ arvo_final_with_version() }}
