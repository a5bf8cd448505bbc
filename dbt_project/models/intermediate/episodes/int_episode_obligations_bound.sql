-- One row per episode x obligation entry binding it (provider x episode_id x scope x
-- scope_code x instrument x timepoint): the one rule of which obligations bind an
-- episode, read by the restart detection (int_episode_restarts_detected, the entries
-- that restart) and the schedule (int_episode_windows_scheduled). The obligations of the
-- episode's provider (int_provider_obligations_resolved: the provider's sector's entry,
-- else the `all` entry) bind it in every scope it can be bound in: its package's (scope
-- package) and, when int_clients_segmented places its client in a segment for the
-- period, that segment's (scope segment; episodes of any package).

with

{{ arvo_import_ctes([
    ('episodes', 'int_episodes_deduplicated'),
    ('segments', 'int_clients_segmented'),
    ('obligations', 'int_provider_obligations_resolved'),
]) }},

episode_scopes as (

    -- every scope an episode can be bound in: its package, and its client's segment
    select provider_id, episode_id, 'package' as scope, package_code as scope_code
    from episodes
    union all
    select ep.provider_id, ep.episode_id, 'segment' as scope, cs.segment_code as scope_code
    from episodes as ep
    inner join segments as cs
        on cs.client_id = ep.client_id

),

final as (

    select
        ep.provider_id,
        ep.episode_id,
        ob.scope,
        ob.scope_code,
        ob.instrument,
        ob.timepoint,
        ep.client_id,
        ep.package_code,
        ep.start_date,
        ep.end_date,
        ob.provider_sector,
        ob.obligation_sector,
        ob.timepoint_order,
        ob.at_days,
        ob.from_days,
        ob.to_days,
        ob.measure,
        ob.min_rate,
        ob.while_open,
        ob.severity,
        ob.restarts

    from episodes as ep
    inner join episode_scopes as es
        on {{ arvo_same_keys('es', 'ep', ['provider_id', 'episode_id']) }}
    inner join obligations as ob
        on ob.provider_id = ep.provider_id
        and ob.scope = es.scope
        and ob.scope_code = es.scope_code

)

select * from final
