-- Grain: one row per provider x episode x schedule cycle x instrument x measure with a
-- follow-up (timepoint `pair_followup_timepoint`) dated in the period's window: what the
-- case-mix models of the period are fitted on. The follow-up's baseline score when the
-- same cycle has one, else `left_out_reason` 'no baseline' (the model cannot use the
-- client; counted in mart_case_mix_models). The client factors
-- (arvo/verdicts/casemix.py, docs/verdicts.md):
--   age_band            10-year bands of the client's age at the cycle's anchor
--   sex                 from the personal identity code (1 male, 2 female)
--   chronic_conditions  condition groups in the client's diagnoses in the window
--                       (int_clients_profiled; 0 for a client without service events)
--   social_care         1 if the client used a social service in the window, else 0
--   the episode's optional case-mix fields, as sent (empty when not sent).

with

{{ arvo_import_ctes([
    ('matched', 'int_episode_responses_matched'),
    ('episodes', 'int_episodes_deduplicated'),
    ('profiles', 'int_clients_profiled'),
]) }},

followups as (

    select * from matched
    where timepoint <> 'baseline'
      and response_date between {{ arvo_window_start() }} and {{ arvo_period_end() }}

),

baselines as (

    select * from matched
    where timepoint = 'baseline'

),

aged as (

    select
        f.provider_id,
        f.episode_id,
        f.cycle,
        f.instrument,
        f.measure,
        f.is_primary,
        f.client_id,
        f.package_code,
        b.score as baseline_score,
        f.score as followup_score,
        {{ age_in_years('e.birth_date', 'f.anchor_date') }} as age,
        e.sex,
        coalesce(p.chronic_conditions, 0) as chronic_conditions,
        case when coalesce(p.social_service_types, 0) > 0 then 1 else 0 end as social_care,
        {{- arvo_case_mix_columns(cast=false, prefix='e.') }}
    from followups as f
    left join baselines as b
        on {{ arvo_same_keys('b', 'f',
                             ['provider_id', 'episode_id', 'cycle', 'instrument',
                              'measure']) }}
    inner join episodes as e
        on {{ arvo_same_keys('e', 'f', ['provider_id', 'episode_id']) }}
    left join profiles as p
        on p.client_id = f.client_id

),

final as (

    select
        cast(provider_id as varchar) as provider_id,
        cast(episode_id as varchar) as episode_id,
        cast(cycle as integer) as cycle,
        cast(instrument as varchar) as instrument,
        cast(measure as varchar) as measure,
        cast(is_primary as boolean) as is_primary,
        cast(client_id as varchar) as client_id,
        cast(package_code as varchar) as package_code,
        cast(baseline_score as double) as baseline_score,
        cast(followup_score as double) as followup_score,
        cast(case when baseline_score is null then 'no baseline' end as varchar)
            as left_out_reason,
        cast(case
            when age < 45 then 'under 45'
            when age < 55 then '45-54'
            when age < 65 then '55-64'
            when age < 75 then '65-74'
            when age < 85 then '75-84'
            else '85+'
        end as varchar) as age_band,
        cast(sex as varchar) as sex,
        cast(chronic_conditions as integer) as chronic_conditions,
        cast(social_care as integer) as social_care,
        {{- arvo_case_mix_columns(cast=true) }}

    from aged

)

select * from final
