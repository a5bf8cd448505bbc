-- Every instrument of seed prom_measures has exactly one primary measure: the score
-- int_prom_responses_scored, the pairs and the marts use. One row per problem.
{{ config(severity='error', tags=['endangers:int_prom_responses_scored',
    'endangers:mart_segment_outcomes', 'endangers:mart_provider_package_outcomes']) }}

select instrument, count(case when is_primary then 1 end) as primary_measures
from {{ ref('prom_measures') }}
group by instrument
having count(case when is_primary then 1 end) <> 1
