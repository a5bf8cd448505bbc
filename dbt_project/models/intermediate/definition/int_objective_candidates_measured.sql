-- One row per candidate objective (stg_definitions__objective_candidates: every
-- measure x instrument x segment, package and sector) with at least one observation in
-- the period: the scope as a whole, counted exactly as the objectives of objectives.yml
-- are (macro arvo_objective_units, the rules of int_objective_units_measured): n,
-- successes, clients, value and its 95 % interval (Wilson for shares).

with

objectives as (

    select * from {{ ref('stg_definitions__objective_candidates') }}

),

{{ arvo_objective_units('objectives') }}

select * from final
where scope_type <> 'provider'
