{#-
  The body of an `episode_scopes` CTE: every scope an episode can be bound in by an
  obligation, one row per provider_id x episode_id x scope: its package (scope
  `package`) and, when the period's segmentation places its client in a segment, that
  segment (scope `segment`). `episodes` and `segments` name CTEs over
  int_episodes_deduplicated and int_clients_segmented. Used by the obligation models
  (int_episode_restarts_detected, int_episode_obligations_checked).
-#}
{% macro arvo_episode_scopes(episodes, segments) %}
    select provider_id, episode_id, 'package' as scope, package_code as scope_code
    from {{ episodes }}
    union all
    select ep.provider_id, ep.episode_id, 'segment' as scope, cs.segment_code as scope_code
    from {{ episodes }} as ep
    inner join {{ segments }} as cs
        on cs.client_id = ep.client_id
{% endmacro %}
