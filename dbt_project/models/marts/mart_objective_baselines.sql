-- Grain: period x objective_code (a candidate objective: scope x scope_code x measure
-- x instrument, stg_definitions__objective_candidates) with at least one observation.
-- The current level of every measure a target could be set on, for each segment,
-- package and sector as a whole, counted as mart_objective_attainment counts (macro
-- arvo_objective_units): n, successes, clients, value and its 95 % interval (Wilson
-- for shares, normal for means). `is_small`: fewer than 5 clients (for
-- obligations_met_share: eligible episodes), suppressed in the reports.

with

{{ arvo_import_ctes([
    ('measured', 'int_objective_candidates_measured'),
    ('candidates', 'stg_definitions__objective_candidates'),
]) }},

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(c.objective_code as varchar) as objective_code,
        cast(c.scope as varchar) as scope,
        cast(c.scope_code as varchar) as scope_code,
        cast(c.measure as varchar) as measure,
        cast(c.measure_kind as varchar) as measure_kind,
        cast(c.instrument as varchar) as instrument,
        cast(m.n as bigint) as n,
        cast(m.successes as bigint) as successes,
        cast(m.clients as bigint) as clients,
        cast(m.value as double) as value,
        cast(m.ci_lower as double) as ci_lower,
        cast(m.ci_upper as double) as ci_upper,
        {{ arvo_is_small('m.clients') }} as is_small

    from measured as m
    inner join candidates as c
        on c.objective_code = m.objective_code

)

{{ arvo_final_with_version() }}
