-- Grain: one row per provider x package x segment: the provider's costed episodes of the
-- package (int_episodes_costed: its events under the episode's ID in the window) whose
-- client the period's segmentation places in the segment (int_clients_segmented), and
-- their cost (DECIMAL euros). Every costed episode's client has an event in the window,
-- so has a segment: the segments' episodes add up to the provider's.

with

{{ arvo_import_ctes([
    ('episodes', 'int_episodes_costed'),
    ('segmented', 'int_clients_segmented'),
]) }},

final as (

    select
        e.provider_id,
        e.package_code,
        s.segment_code,
        count(*) as episodes,
        cast(sum(e.cost_eur) as decimal(18, 2)) as cost_eur

    from episodes as e
    inner join segmented as s
        on s.client_id = e.client_id
    group by e.provider_id, e.package_code, s.segment_code

)

select * from final
