{#-
  The one rule that places clients in segments (definitions/segments.yml, or a draft of
  it: docs/definition.md), as CTEs: a segment matches a client when every one of its
  conditions holds (a segment without conditions is a default and matches everybody); of
  the matching segments the lowest priority number wins (ties: segment code). `profiles`,
  `segments` and `segment_rules` name CTEs of the calling model shaped like
  int_clients_profiled, stg_definitions__segments and stg_definitions__segment_rules.
  Ends with a CTE `final` (client_id, segment_code, segment_priority,
  matching_segments) and a trailing comma-free body: the caller writes
  `{{ arvo_segment_assignment('profiles', 'segments', 'segment_rules') }}` after its
  own CTEs and a comma, then `select * from final`. Used by int_clients_segmented and
  int_clients_draft_segmented.
-#}

{% macro arvo_segment_assignment(profiles, segments, segment_rules) -%}
{%- set features = ['age', 'chronic_conditions', 'annual_cost', 'cost_percentile',
                    'social_service_types', 'health_service_types', 'service_types'] %}

client_feature_values as (

    select
        client_id,
        {%- for feature in features %}
        cast({{ feature }} as double) as {{ feature }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ profiles }}

),

-- long form: one row per client and feature (null features drop out and so
-- never satisfy a condition)
client_features as (

    {{- arvo_unpivot('client_feature_values', ['client_id'], features, 'feature',
                     'feature_value') }}

),

conditions_per_segment as (

    select
        segment_code,
        count(*) as conditions
    from {{ segment_rules }}
    group by segment_code

),

conditions_met as (

    select
        f.client_id,
        r.segment_code,
        count(*) as conditions_met
    from {{ segment_rules }} as r
    inner join client_features as f
        on f.feature = r.feature
    where case r.op
        when '>=' then f.feature_value >= r.value
        when '>' then f.feature_value > r.value
        when '<=' then f.feature_value <= r.value
        when '<' then f.feature_value < r.value
        when '=' then f.feature_value = r.value
        else false
    end
    group by f.client_id, r.segment_code

),

rule_matches as (

    select
        m.client_id,
        m.segment_code
    from conditions_met as m
    inner join conditions_per_segment as c
        on c.segment_code = m.segment_code
    where m.conditions_met = c.conditions

),

default_matches as (

    select
        p.client_id,
        s.segment_code
    from {{ profiles }} as p
    cross join {{ segments }} as s
    where s.segment_code not in (select segment_code from conditions_per_segment)

),

matches as (

    select * from rule_matches
    union all
    select * from default_matches

),

ranked_matches as (

    select
        m.client_id,
        m.segment_code,
        s.priority as segment_priority,
        count(*) over (partition by m.client_id) as matching_segments
    from matches as m
    inner join {{ segments }} as s
        on s.segment_code = m.segment_code

),

first_match as (

    {{- arvo_first_ranked('ranked_matches', ['client_id'],
                          ['segment_priority', 'segment_code']) }}

),

final as (

    select
        client_id,
        segment_code,
        cast(segment_priority as integer) as segment_priority,
        cast(matching_segments as integer) as matching_segments

    from first_match

)

{%- endmacro %}
