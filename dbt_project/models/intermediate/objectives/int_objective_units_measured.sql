-- One row per objective x scope unit with at least one observation in the period: the
-- objective's scope as a whole (scope_type = the objective's scope: segment, package or
-- sector; scope_id its code) and each provider in it (scope_type = provider, scope_id =
-- the provider). What is counted (docs/objectives.md#measures):
--
-- pairs (int_pairs_assessed: each instrument's primary measure, follow-up in the window)
--   recovery_rate             n = pairs at caseness at baseline, successes = recovered
--   reliable_improvement_rate n = pairs, successes = reliable improvement
--   mid_share                 n = pairs, successes = gain reached the MID
--   mean_gain                 n = pairs, value = mean gain (positive = better)
-- baseline windows (int_episode_obligations_checked, timepoint baseline, closed in the
-- window): one per provider x episode x cycle x instrument, collected when a response
-- was dated in any baseline window binding it
--   baseline_participation_rate n = windows, successes = collected
-- obligations (mart_prom_compliance of the period, on 5 eligible episodes or more: those
-- the steering report assesses)
--   obligations_met_share     n = obligations judged, successes = met (the Best
--                             Practice Tariff rule of the compliance mart)
--
-- Scope: a segment takes the pairs and windows of the clients int_clients_segmented
-- places in it (obligations: the segment's own obligations); a package its episodes
-- (obligations: the package's); a sector every provider of that type (all its
-- obligations). `clients`: distinct clients behind n; for obligations the eligible
-- episodes (the compliance mart does not count clients).
-- Interval: Wilson 95 % score interval for a share, mean +- 1.96 SD / sqrt(n) for a mean
-- (no interval under 2 pairs).

with

objectives as (

    select * from {{ ref('stg_definitions__objectives') }}

),

{{ arvo_objective_units('objectives') }}

select * from final
