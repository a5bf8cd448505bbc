-- Every score lies within its measure's range in seed prom_measures (a score outside
-- it means a scoring rule or a look-up table is wrong). Returns the offending rows.
{{ config(severity='warn', tags=['endangers:mart_segment_outcomes',
    'endangers:mart_provider_package_outcomes']) }}

select s.provider_id, s.response_id, s.instrument, s.measure, s.score,
       m.min_score, m.max_score
from {{ ref('int_prom_measures_scored') }} as s
inner join {{ ref('prom_measures') }} as m
    on {{ arvo_same_keys('m', 's', ['instrument', 'measure']) }}
where s.score < m.min_score or s.score > m.max_score
