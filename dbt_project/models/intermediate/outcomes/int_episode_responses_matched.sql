-- One row per episode x schedule cycle x instrument x measure x timepoint (baseline and
-- the pairing follow-up `pair_followup_timepoint`) of the package obligation's schedule
-- with a response scored on the measure in the timepoint's window: the response that
-- counts. Where a window holds several responses scored on the measure, the one nearest
-- the target day counts (baseline: the anchor, clamped into the window; follow-up: the
-- window's middle), ties to the earlier one. Cycles and windows are those of the
-- collection schedule of the episode's package obligation (int_episode_windows_scheduled,
-- as compliance uses them). int_episodes_paired pairs them; int_case_mix_inputs also
-- counts follow-ups without a baseline (clients the case-mix models leave out).

with

{{ arvo_import_ctes([
    ('windows', 'int_episode_windows_scheduled'),
    ('measures', 'int_prom_measures_scored'),
]) }},

scheduled as (

    -- the package obligation's baseline and pairing follow-up windows, with the day
    -- nearest which a response counts: baseline the anchor (clamped into the window),
    -- follow-up the window's middle
    select
        provider_id,
        episode_id,
        client_id,
        package_code,
        start_date,
        cycle,
        anchor_date,
        instrument,
        timepoint,
        case
            when timepoint = 'baseline' then greatest(from_days, least(to_days, 0))
            -- the middle: (from + to) / 2 truncated toward zero, in integers on any engine
            else cast((from_days + to_days - mod(from_days + to_days, 2)) / 2 as integer)
        end as target_day,
        collection_opens,
        collection_closes
    from windows
    where scope = 'package'
      and timepoint in ('baseline', '{{ var("pair_followup_timepoint") }}')

),

in_window as (

    select
        s.provider_id,
        s.episode_id,
        s.cycle,
        s.instrument,
        m.measure,
        m.is_primary,
        s.timepoint,
        s.client_id,
        s.package_code,
        s.start_date,
        s.anchor_date,
        m.response_id,
        m.response_date,
        m.score,
        abs({{ dbt.datediff(arvo_add_days('s.anchor_date', 's.target_day'), 'm.response_date',
                            'day') }}) as days_from_target
    from scheduled as s
    inner join measures as m
        on {{ arvo_same_keys('m', 's', ['provider_id', 'episode_id', 'instrument']) }}
    where m.score is not null
      and m.response_date between s.collection_opens and s.collection_closes

),

nearest as (

    {{- arvo_first_ranked('in_window',
                          ['provider_id', 'episode_id', 'cycle', 'instrument', 'measure',
                           'timepoint'],
                          ['days_from_target', 'response_date', 'response_id']) }}

),

final as (

    select
        provider_id,
        episode_id,
        cycle,
        instrument,
        measure,
        is_primary,
        timepoint,
        client_id,
        package_code,
        start_date,
        anchor_date,
        response_id,
        response_date,
        score
    from nearest

)

select * from final
