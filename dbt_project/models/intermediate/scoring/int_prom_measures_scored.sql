-- PROM responses as known at the end of the period (latest submission of each
-- provider_id + response_id wins), scored: one row per response and measure of its
-- instrument (seed prom_measures), with the score (null when the instrument's
-- missing-item rule allows none), a severity band where the instrument has one,
-- and the basis of the score (value set or crosswalk) for EQ-5D indices.
-- A response of an instrument Arvo cannot score keeps one row with a null measure.
--
-- One CTE per instrument returns (provider_id, response_id, measure, score, band,
-- basis); add an instrument by adding its items to flows/contract.py, its measures
-- to seed prom_measures, a CTE here and a line to `scores`. The scoring rules and
-- their sources are in docs/instruments.md. `arvo score` runs this same model.

{%- set eq5d5l_method = var('eq5d5l_method') %}
{%- if eq5d5l_method not in ('value_set', 'crosswalk') %}
  {{ exceptions.raise_compiler_error(
      "Arvo var 'eq5d5l_method' must be value_set or crosswalk, got '" ~ eq5d5l_method ~ "'") }}
{%- endif %}
{%- set dims = eq5d_dimensions() %}

with

{{ arvo_import_ctes([
    ('proms', 'stg_lake__proms'),
    ('eq5d5l_value_sets', 'eq5d5l_value_sets'),
    ('eq5d5l_crosswalk', 'eq5d5l_crosswalk'),
    ('eq5d3l_value_sets', 'eq5d3l_value_sets'),
    ('promis10_tscores', 'promis10_tscores'),
    ('prom_score_bands', 'prom_score_bands'),
    ('prom_measures', 'prom_measures'),
]) }},

responses as (

    -- as known at the period end: the latest submission of each response wins
    {{- arvo_latest_submission('proms', ['provider_id', 'response_id']) }}

),

-- ---------------------------------------------------------------- EQ-5D-5L
-- Index: no index if a dimension is missing or out of 1-5. With eq5d5l_method
-- value_set: start value (+ intercept unless 11111) + one decrement per dimension
-- level of value set `eq5d5l_value_set` (default England, Devlin et al. 2018).
-- With crosswalk: the van Hout et al. (2012) crosswalk value of the state for
-- country `eq5d5l_crosswalk_country`. EQ-VAS: q6, 0-100.
eq5d5l_responses as (

    select
        provider_id,
        response_id,
        q1 as mo,
        q2 as sc,
        q3 as ua,
        q4 as pd,
        q5 as ad,
        q6 as vas,
        {{ prom_all_in_range(['q1', 'q2', 'q3', 'q4', 'q5'], 1, 5) }} as is_complete
    from responses
    where instrument = 'EQ5D5L'

),

eq5d5l_value_set as (

    select dimension, level, decrement
    from eq5d5l_value_sets
    where country = '{{ var("eq5d5l_value_set") }}'
      and dimension is not null

),

eq5d5l_constants as (

    select
        coalesce(max(case when term = 'StartValue' then decrement end), 1) as start_value,
        coalesce(max(case when term = 'Intercept' then decrement end), 0) as intercept
    from eq5d5l_value_sets
    where country = '{{ var("eq5d5l_value_set") }}'

),

eq5d5l_value_set_index as (

    select
        r.provider_id,
        r.response_id,
        cast(
            k.start_value
            + case when r.mo + r.sc + r.ua + r.pd + r.ad = 5 then 0 else k.intercept end
            + coalesce(mo.decrement, 0) + coalesce(sc.decrement, 0)
            + coalesce(ua.decrement, 0) + coalesce(pd.decrement, 0)
            + coalesce(ad.decrement, 0)
            as double) as score
    from eq5d5l_responses as r
    cross join eq5d5l_constants as k
    left join eq5d5l_value_set as mo on mo.dimension = 'MO' and mo.level = r.mo
    left join eq5d5l_value_set as sc on sc.dimension = 'SC' and sc.level = r.sc
    left join eq5d5l_value_set as ua on ua.dimension = 'UA' and ua.level = r.ua
    left join eq5d5l_value_set as pd on pd.dimension = 'PD' and pd.level = r.pd
    left join eq5d5l_value_set as ad on ad.dimension = 'AD' and ad.level = r.ad
    where r.is_complete

),

{%- if eq5d5l_method == 'crosswalk' %}
eq5d5l_crosswalk_values as (

    -- the country's column (test assert_eq5d5l_crosswalk_country_exists checks it)
    {%- set country = var("eq5d5l_crosswalk_country") %}
    {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_]*$', country) %}
      {{ exceptions.raise_compiler_error(
          "Arvo var 'eq5d5l_crosswalk_country' must be a column of seed eq5d5l_crosswalk, got '"
          ~ country ~ "'") }}
    {%- endif %}
    select cast(state as varchar) as state, cast({{ country }} as double) as index_value
    from eq5d5l_crosswalk
    where {{ country }} is not null

),

eq5d5l_crosswalk_index as (

    select
        r.provider_id,
        r.response_id,
        c.index_value as score
    from eq5d5l_responses as r
    inner join eq5d5l_crosswalk_values as c
        on c.state = {{ dbt.concat(['cast(r.mo as varchar)', 'cast(r.sc as varchar)',
                                    'cast(r.ua as varchar)', 'cast(r.pd as varchar)',
                                    'cast(r.ad as varchar)']) }}
    where r.is_complete

),
{%- endif %}

eq5d5l_scores as (

    -- the index of the run's method (var eq5d5l_method)
    {%- if eq5d5l_method == 'crosswalk' %}
    {%- set eq5d5l_index = 'eq5d5l_crosswalk_index' %}
    {%- set eq5d5l_basis = 'EQ-5D-5L crosswalk ' ~ var("eq5d5l_crosswalk_country") %}
    {%- else %}
    {%- set eq5d5l_index = 'eq5d5l_value_set_index' %}
    {%- set eq5d5l_basis = 'EQ-5D-5L value set ' ~ var("eq5d5l_value_set") %}
    {%- endif %}
    select
        provider_id,
        response_id,
        'eq5d_index' as measure,
        score,
        null as band,
        '{{ eq5d5l_basis }}' as basis
    from {{ eq5d5l_index }}

    union all

    select provider_id, response_id, 'eq_vas', cast(vas as double), null, null
    from eq5d5l_responses
    where vas between 0 and 100

),

-- ---------------------------------------------------------------- EQ-5D-3L
-- Index from the TTO value set `eq5d3l_value_set` (default UK, Dolan 1997): the sum
-- over the model's terms that apply to the state of coefficient x multiplier.
-- Terms (as in seed eq5d3l_value_sets): FullHealth (always), AtLeastOne2Or3 (the
-- constant for any problem), AtLeastOne3 (N3), dimension levels (MO2 ... AD3),
-- pairwise interactions (MO3SC3 ...), and the counts n2 / n3 of dimensions at
-- level 2 / 3: D1 = max(n2 + n3 - 1, 0), I2 = max(n2 - 1, 0), I2square, I3 =
-- max(n3 - 1, 0), I3square, C2square = n2^2, C3square = n3^2, O2 (some 2, no 3),
-- O3 (some 3, no 2), Z2 (some 2 and some 3), Z3 (n2 if some 3), X5 (no level 1).
-- Rounded to 3 decimals as the value sets are published. No index if a dimension
-- is missing or out of 1-3. EQ-VAS: q6, 0-100.
eq5d3l_responses as (

    select
        provider_id,
        response_id,
        q1, q2, q3, q4, q5,
        q6 as vas,
        {{ prom_all_in_range(['q1', 'q2', 'q3', 'q4', 'q5'], 1, 3) }} as is_complete
    from responses
    where instrument = 'EQ5D3L'

),

eq5d3l_states as (

    select
        *,
        {% for q, d in dims -%}
        case when {{ q }} = 2 then 1 else 0 end{{ ' +' if not loop.last }}
        {% endfor -%} as n2,
        {% for q, d in dims -%}
        case when {{ q }} = 3 then 1 else 0 end{{ ' +' if not loop.last }}
        {% endfor -%} as n3
    from eq5d3l_responses
    where is_complete

),

{%- set eq5d3l_model_terms = [
    ["'FullHealth'", '1'],
    ["'AtLeastOne2Or3'", 'case when n2 + n3 > 0 then 1 else 0 end'],
    ["'AtLeastOne3'", 'case when n3 > 0 then 1 else 0 end'],
] %}
{%- for q, d in dims %}
{%- do eq5d3l_model_terms.append([dbt.concat(["'" ~ d ~ "'", 'cast(' ~ q ~ ' as varchar)']), '1']) %}
{%- endfor %}
{%- for q1, d1 in dims %}{% for q2, d2 in dims[loop.index:] %}
{%- do eq5d3l_model_terms.append([dbt.concat(["'" ~ d1 ~ "'", 'cast(' ~ q1 ~ ' as varchar)',
                                        "'" ~ d2 ~ "'", 'cast(' ~ q2 ~ ' as varchar)']), '1']) %}
{%- endfor %}{% endfor %}
{%- do eq5d3l_model_terms.extend([
    ["'D1'", 'greatest(n2 + n3 - 1, 0)'],
    ["'I2'", 'greatest(n2 - 1, 0)'],
    ["'I2square'", 'greatest(n2 - 1, 0) * greatest(n2 - 1, 0)'],
    ["'I3'", 'greatest(n3 - 1, 0)'],
    ["'I3square'", 'greatest(n3 - 1, 0) * greatest(n3 - 1, 0)'],
    ["'C2square'", 'n2 * n2'],
    ["'C3square'", 'n3 * n3'],
    ["'O2'", 'case when n2 > 0 and n3 = 0 then 1 else 0 end'],
    ["'O3'", 'case when n3 > 0 and n2 = 0 then 1 else 0 end'],
    ["'Z2'", 'case when n2 > 0 and n3 > 0 then 1 else 0 end'],
    ["'Z3'", 'case when n3 > 0 then n2 else 0 end'],
    ["'X5'", 'case when n2 + n3 = 5 then 1 else 0 end'],
]) %}
eq5d3l_terms as (

    -- one row per response and model term: [term, multiplier x] of the state
    {{- arvo_expand('eq5d3l_states', ['provider_id', 'response_id'], eq5d3l_model_terms,
                    'term', 'x') }}

),

eq5d3l_value_set as (

    select term, decrement
    from eq5d3l_value_sets
    where country = '{{ var("eq5d3l_value_set") }}'

),

eq5d3l_scores as (

    select
        l.provider_id,
        l.response_id,
        'eq5d_index' as measure,
        cast(round(sum(v.decrement * l.x), 3) as double) as score,
        null as band,
        'EQ-5D-3L TTO value set {{ var("eq5d3l_value_set") }}' as basis
    from eq5d3l_terms as l
    inner join eq5d3l_value_set as v
        on v.term = l.term
    group by l.provider_id, l.response_id

    union all

    select provider_id, response_id, 'eq_vas', cast(vas as double), null, null
    from eq5d3l_responses
    where vas between 0 and 100

),

-- ---------------------------------------------------------------- PHQ-9, GAD-7
-- Total: no score if more than one item is missing (or any item is out of 0-3);
-- otherwise the mean of the answered items x the number of items, rounded.
-- Severity band from seed prom_score_bands.
{%- set phq9_items = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9'] %}
{%- set gad7_items = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'] %}
sum_scale_responses as (

    select
        provider_id,
        response_id,
        'phq9_total' as measure,
        9 as n_items,
        {{ prom_answered(phq9_items) }} as answered,
        {{ prom_sum(phq9_items) }} as item_sum,
        {{ prom_any_out_of_range(phq9_items, 0, 3) }} as has_invalid_item
    from responses
    where instrument = 'PHQ9'

    union all

    select
        provider_id,
        response_id,
        'gad7_total',
        7,
        {{ prom_answered(gad7_items) }},
        {{ prom_sum(gad7_items) }},
        {{ prom_any_out_of_range(gad7_items, 0, 3) }}
    from responses
    where instrument = 'GAD7'

),

sum_scale_totals as (

    select
        provider_id,
        response_id,
        measure,
        cast(round(item_sum * cast(n_items as double) / nullif(answered, 0)) as double) as score
    from sum_scale_responses
    where answered >= n_items - 1 and not has_invalid_item

),

sum_scale_scores as (

    select
        t.provider_id,
        t.response_id,
        t.measure,
        t.score,
        b.band,
        null as basis
    from sum_scale_totals as t
    left join prom_score_bands as b
        on b.measure = t.measure
        and t.score between b.min_score and b.max_score

),

-- ---------------------------------------------------------------- PROMIS-10
-- PROMIS Global Health v1.0/1.1 items Global01..Global10 as q1..q10, coded as on
-- the form (q7 pain 0-10; q8 fatigue and q10 emotional problems 1 = none/never).
-- GPH raw = Global03 + Global06 + Global07 recoded (0 -> 5, 1-3 -> 4, 4-6 -> 3,
-- 7-9 -> 2, 10 -> 1) + Global08 reversed (6 - x); GMH raw = Global02 + Global04 +
-- Global05 + Global10 reversed. Raw 4-20 -> T-score from seed promis10_tscores.
-- All four items of a scale are needed; none scored if any item is out of range.
promis10_responses as (

    select
        provider_id,
        response_id,
        q3 + q6
            + case
                when q7 = 0 then 5
                when q7 between 1 and 3 then 4
                when q7 between 4 and 6 then 3
                when q7 between 7 and 9 then 2
                when q7 = 10 then 1
            end
            + (6 - q8) as gph_raw,
        q2 + q4 + q5 + (6 - q10) as gmh_raw,
        {{ prom_any_out_of_range(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q8', 'q9', 'q10'], 1, 5) }}
            or coalesce(q7 not between 0 and 10, false) as has_invalid_item
    from responses
    where instrument = 'PROMIS10'

),

promis10_raw as (

    select provider_id, response_id, 'GPH' as scale, gph_raw as raw_score
    from promis10_responses
    where not has_invalid_item and gph_raw is not null

    union all

    select provider_id, response_id, 'GMH', gmh_raw
    from promis10_responses
    where not has_invalid_item and gmh_raw is not null

),

promis10_scores as (

    select
        r.provider_id,
        r.response_id,
        'promis_' || lower(r.scale) || '_t' as measure,
        cast(t.t_score as double) as score,
        null as band,
        'PROMIS Global Health raw score to T-score table' as basis
    from promis10_raw as r
    inner join promis10_tscores as t
        on {{ arvo_same_keys('t', 'r', ['scale', 'raw_score']) }}

    union all

    select
        provider_id,
        response_id,
        'promis_' || lower(scale) || '_raw',
        cast(raw_score as double),
        null,
        null
    from promis10_raw

),

-- ---------------------------------------------------------------- KCCQ-12
-- KCCQ-12 (Spertus & Jones 2015). Items: q1-q3 = 1a-1c (1-5; 6 "limited for other
-- reasons or did not do" = missing), q4 = 2 swelling (1-5), q5 = 3 fatigue (1-7),
-- q6 = 4 shortness of breath (1-7), q7 = 5 orthopnea (1-5), q8 = 6 and q9 = 7
-- quality of life (1-5), q10-q12 = 8a-8c (1-5; 6 "does not apply" = missing).
-- Each item is rescaled to 0-100 ((x - 1) / (levels - 1) x 100) and each domain is
-- the mean of its answered items, scored only when at least half its items are
-- answered: Physical Limitation 2 of 1a-1c, Symptom Frequency 2 of 2-5, Quality of
-- Life 1 of 6-7, Social Limitation 2 of 8a-8c. Summary: the mean of the domain
-- scores available. Scores rounded to 2 decimals; none if an item is out of range.
kccq12_responses as (

    select
        provider_id,
        response_id,
        {{ prom_any_out_of_range(['q1', 'q2', 'q3', 'q10', 'q11', 'q12'], 1, 6) }}
            or {{ prom_any_out_of_range(['q4', 'q7', 'q8', 'q9'], 1, 5) }}
            or {{ prom_any_out_of_range(['q5', 'q6'], 1, 7) }} as has_invalid_item,
        (nullif(q1, 6) - 1) / 4.0 * 100 as pl1,
        (nullif(q2, 6) - 1) / 4.0 * 100 as pl2,
        (nullif(q3, 6) - 1) / 4.0 * 100 as pl3,
        (q4 - 1) / 4.0 * 100 as sf1,
        (q5 - 1) / 6.0 * 100 as sf2,
        (q6 - 1) / 6.0 * 100 as sf3,
        (q7 - 1) / 4.0 * 100 as sf4,
        (q8 - 1) / 4.0 * 100 as ql1,
        (q9 - 1) / 4.0 * 100 as ql2,
        (nullif(q10, 6) - 1) / 4.0 * 100 as sl1,
        (nullif(q11, 6) - 1) / 4.0 * 100 as sl2,
        (nullif(q12, 6) - 1) / 4.0 * 100 as sl3
    from responses
    where instrument = 'KCCQ12'

),

kccq12_domains as (

    select
        provider_id,
        response_id,
        case when {{ prom_answered(['pl1', 'pl2', 'pl3']) }} >= 2
            then {{ prom_mean(['pl1', 'pl2', 'pl3']) }} end as physical_limitation,
        case when {{ prom_answered(['sf1', 'sf2', 'sf3', 'sf4']) }} >= 2
            then {{ prom_mean(['sf1', 'sf2', 'sf3', 'sf4']) }} end as symptom_frequency,
        case when {{ prom_answered(['ql1', 'ql2']) }} >= 1
            then {{ prom_mean(['ql1', 'ql2']) }} end as quality_of_life,
        case when {{ prom_answered(['sl1', 'sl2', 'sl3']) }} >= 2
            then {{ prom_mean(['sl1', 'sl2', 'sl3']) }} end as social_limitation
    from kccq12_responses
    where not has_invalid_item

),

kccq12_scores as (

    select
        provider_id,
        response_id,
        'kccq_' || domain as measure,
        cast(round(score, 2) as double) as score,
        null as band,
        null as basis
    from (
        {{- arvo_unpivot('kccq12_domains', ['provider_id', 'response_id'],
                         ['physical_limitation', 'symptom_frequency', 'quality_of_life',
                          'social_limitation'], 'domain', 'score') }}
    ) as domains

    union all

    select
        provider_id,
        response_id,
        'kccq_summary',
        cast(round({{ prom_mean(['physical_limitation', 'symptom_frequency',
                                 'quality_of_life', 'social_limitation']) }}, 2) as double),
        null,
        null
    from kccq12_domains

),

-- ---------------------------------------------------------------- Oxford Hip / Knee
-- OHS and OKS: twelve items 0-4 (4 = best), total 0-48. Up to two missing items
-- are replaced by the mean of the answered items (total = sum x 12 / answered,
-- rounded to 2 decimals); with more than two missing, or an item out of 0-4, no
-- score (Murray et al. 2007).
{%- set oxford_items = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10', 'q11', 'q12'] %}
oxford_responses as (

    select
        provider_id,
        response_id,
        lower(instrument) || '_total' as measure,
        {{ prom_answered(oxford_items) }} as answered,
        {{ prom_sum(oxford_items) }} as item_sum,
        {{ prom_any_out_of_range(oxford_items, 0, 4) }} as has_invalid_item
    from responses
    where instrument in ('OHS', 'OKS')

),

oxford_scores as (

    select
        provider_id,
        response_id,
        measure,
        cast(round(item_sum * 12.0 / nullif(answered, 0), 2) as double) as score,
        null as band,
        null as basis
    from oxford_responses
    where answered >= 10 and not has_invalid_item

),

scores as (

    select * from eq5d5l_scores
    union all
    select * from eq5d3l_scores
    union all
    select * from sum_scale_scores
    union all
    select * from promis10_scores
    union all
    select * from kccq12_scores
    union all
    select * from oxford_scores

),

final as (

    select
        r.provider_id,
        r.response_id,
        r.episode_id,
        r.client_id,
        r.instrument,
        r.timepoint,
        r.response_date,
        m.measure,
        coalesce(m.is_primary, true) as is_primary,
        s.score,
        cast(s.band as varchar) as band,
        cast(s.basis as varchar) as basis,
        r.submission_month

    from responses as r
    left join prom_measures as m
        on m.instrument = r.instrument
    left join scores as s
        on {{ arvo_same_keys('s', 'r', ['provider_id', 'response_id']) }}
        and s.measure = m.measure

)

select * from final
