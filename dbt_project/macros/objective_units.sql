{#-
  How each objective's measure is counted per scope and per provider in it (the rules are
  in the header of int_objective_units_measured, docs/objectives.md#measures), as CTEs
  ending with `final`. `objectives` names a CTE of the calling model shaped like
  stg_definitions__objectives (objective_code, scope, scope_code, measure, measure_kind,
  instrument). Used by int_objective_units_measured (the objectives of objectives.yml)
  and int_objective_candidates_measured (every objective a commissioner could set: the
  definition phase's baselines), so both count alike.
-#}

{% macro arvo_objective_units(objectives) -%}

-- baseline_windows: each eligible baseline window once, collected when any scope's
-- window holds a response
{{ arvo_import_ctes([
    ('pairs', 'int_pairs_assessed'),
    ('clients', 'int_clients_segmented'),
    ('providers', 'stg_definitions__providers'),
    ('baseline_windows', 'int_baseline_windows_collected'),
]) }},

-- compliance: the obligations whose verdict the steering report shows, on var
-- small_cell eligible episodes or more, and not a verdict beside a hidden collected count
-- of 1 to 4 that would tell it (one on 1 to 4 eligible is shown as "<5" and not
-- assessed, and such a verdict is hidden: counted here, it would come out of the share)
compliance as (

    select * from {{ ref('mart_prom_compliance') }}
    where period = '{{ arvo_period() }}'
        and not ({{ arvo_is_small('eligible_episodes') }})
        and not (verdict_tells_small and {{ arvo_is_hidden_count('collected') }})

),

pair_observations as (

    select
        o.objective_code,
        p.provider_id,
        p.client_id,
        1 as episodes,
        case o.measure
            when 'recovery_rate' then p.recovered
            when 'reliable_improvement_rate' then p.reliable_improvement
            when 'mid_share' then p.reached_mid
        end as success,
        case when o.measure = 'mean_gain' then p.gain end as x
    from pairs as p
    left join clients as c
        on c.client_id = p.client_id
    left join providers as pr
        on pr.provider_id = p.provider_id
    inner join {{ objectives }} as o
        on o.instrument = p.instrument
        and o.measure in ('recovery_rate', 'reliable_improvement_rate', 'mid_share',
                          'mean_gain')
        and ((o.scope = 'segment' and c.segment_code = o.scope_code)
            or (o.scope = 'package' and p.package_code = o.scope_code)
            or (o.scope = 'sector' and pr.sector = o.scope_code))
    where o.measure <> 'recovery_rate' or p.at_caseness

),

window_observations as (

    select
        o.objective_code,
        w.provider_id,
        w.client_id,
        1 as episodes,
        w.is_collected as success,
        cast(null as double) as x
    from baseline_windows as w
    left join clients as c
        on c.client_id = w.client_id
    inner join {{ objectives }} as o
        on o.instrument = w.instrument
        and o.measure = 'baseline_participation_rate'
        and ((o.scope = 'segment' and c.segment_code = o.scope_code)
            or (o.scope = 'package' and w.package_code = o.scope_code)
            or (o.scope = 'sector' and w.provider_sector = o.scope_code))

),

obligation_observations as (

    select
        o.objective_code,
        m.provider_id,
        cast(null as varchar) as client_id,
        m.eligible_episodes as episodes,
        m.meets_obligation as success,
        cast(null as double) as x
    from compliance as m
    inner join {{ objectives }} as o
        on o.measure = 'obligations_met_share'
        and ((o.scope in ('segment', 'package') and m.scope = o.scope
                and m.scope_code = o.scope_code)
            or (o.scope = 'sector' and m.sector = o.scope_code))

),

observations as (

    select * from pair_observations
    union all
    select * from window_observations
    union all
    select * from obligation_observations

),

units as (

    select
        o.objective_code,
        o.scope as scope_type,
        o.scope_code as scope_id,
        cast(null as varchar) as provider_id,
        b.client_id,
        b.episodes,
        b.success,
        b.x
    from observations as b
    inner join {{ objectives }} as o
        on o.objective_code = b.objective_code

    union all

    select
        objective_code,
        'provider' as scope_type,
        provider_id as scope_id,
        provider_id,
        client_id,
        episodes,
        success,
        x
    from observations

),

aggregated as (

    select
        u.objective_code,
        u.scope_type,
        u.scope_id,
        u.provider_id,
        o.measure,
        o.measure_kind,
        count(*) as n,
        count(case when u.success then 1 end) as successes,
        case
            when o.measure = 'obligations_met_share' then sum(u.episodes)
            else count(distinct u.client_id)
        end as clients,
        {{ arvo_exact_mean('u.x') }} as x_mean,  -- the same on every run (macros/exact.sql)
        {{ arvo_exact_stddev('u.x') }} as x_sd
    from units as u
    inner join {{ objectives }} as o
        on o.objective_code = u.objective_code
    group by u.objective_code, u.scope_type, u.scope_id, u.provider_id, o.measure,
        o.measure_kind

),

final as (

    select
        objective_code,
        scope_type,
        scope_id,
        provider_id,
        measure,
        cast(n as bigint) as n,
        cast(case when measure_kind = 'share' then successes end as bigint) as successes,
        cast(clients as bigint) as clients,
        case
            when measure_kind = 'share' then 1.0 * successes / n
            else x_mean
        end as value,
        case
            when measure_kind = 'share' then {{ arvo_share_bound('successes', 'n', 'lower') }}
            when n >= 2 then x_mean - 1.959963984540054 * x_sd / sqrt(n)
        end as ci_lower,
        case
            when measure_kind = 'share' then {{ arvo_share_bound('successes', 'n', 'upper') }}
            when n >= 2 then x_mean + 1.959963984540054 * x_sd / sqrt(n)
        end as ci_upper

    from aggregated

)

{%- endmacro %}
