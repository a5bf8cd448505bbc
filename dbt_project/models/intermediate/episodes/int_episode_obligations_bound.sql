-- One row per episode x obligation entry binding it (provider x episode_id x scope x
-- scope_code x instrument x timepoint): the one rule of which obligations bind an
-- episode, read by the restart detection (int_episode_restarts_detected, the entries
-- that restart) and the schedule (int_episode_windows_scheduled). The obligations of the
-- episode's provider (int_provider_obligations_resolved: the provider's sector's entry,
-- else the `all` entry) bind it in every scope it can be bound in: its package's (scope
-- package) and, when int_clients_segmented places its client in a segment for the
-- period, that segment's (scope segment; episodes of any package).
--
-- Only the scopes that can still matter for the period are kept: an episode's schedule
-- under a scope is anchored on its start and on restarts up to its end (the period end
-- while it is open), so none of its windows closes after that day plus the longest
-- to_days of the scope's entries. When that day is before the period's window, every
-- window of the scope closed before it: compliance, pairing and the case-mix inputs
-- count none of them (each keeps the windows closing in the window, with the baseline
-- of the same cycle), so they are left out here, and the episodes that ended long ago
-- do not pass through the schedule, the restarts and the matching in every run.

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

bound as (

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
        {{ arvo_obligation_terms('ob') }},
        ob.restarts

    from episodes as ep
    inner join episode_scopes as es
        on {{ arvo_same_keys('es', 'ep', ['provider_id', 'episode_id']) }}
    inner join obligations as ob
        on ob.provider_id = ep.provider_id
        and ob.scope = es.scope
        and ob.scope_code = es.scope_code

),

scope_reach as (

    -- the last day on which a window of the episode's scope can close
    select
        provider_id,
        episode_id,
        scope,
        scope_code,
        max({{ arvo_add_days('greatest(start_date, coalesce(end_date, '
                             ~ arvo_period_end() ~ '))', 'to_days') }}) as last_close
    from bound
    group by provider_id, episode_id, scope, scope_code

),

final as (

    -- the scopes whose last window can close in the period's window or after it
    select bound.*
    from bound
    inner join scope_reach as reach
        on {{ arvo_same_keys('reach', 'bound',
                             ['provider_id', 'episode_id', 'scope', 'scope_code']) }}
    where reach.last_close >= {{ arvo_window_start() }}

)

select * from final
