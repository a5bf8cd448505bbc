-- One row per episode x obligation scope x schedule cycle x instrument x timepoint whose
-- collection window matters for the period: windows that closed within the window
-- (`is_eligible`, the compliance denominator) and windows open at the period end (not
-- yet counted as missing, still collectable until `collection_closes`).
--
-- The windows are the schedule of int_episode_windows_scheduled (every obligation
-- binding the episode, per scope, anchored on the episode start and on each restart; a
-- timepoint of a cycle only if its target day comes before the next restart); an
-- episode bound by both its package's and its segment's obligations is checked under
-- each, with each entry's own windows. Here a `while_open` timepoint is due only if the
-- episode had not ended when its window opened, and a window only once it has opened by
-- the period end. `is_collected`: a response of the instrument for the episode dated in
-- the window. `is_met`: participation (baseline) = collected; paired (follow-up) =
-- collected AND the baseline of the same scope and cycle collected.

with

{{ arvo_import_ctes([
    ('windows', 'int_episode_windows_scheduled'),
    ('responses', 'int_prom_responses_scored'),
]) }},

scheduled as (

    -- the windows due for the period: opened by its end; a while_open timepoint only
    -- when the episode had not ended when the window opened
    select *
    from windows
    where (not while_open or end_date is null or end_date >= collection_opens)
      and collection_opens <= {{ arvo_period_end() }}

),

collected as (

    select
        s.provider_id,
        s.episode_id,
        s.scope,
        s.scope_code,
        s.cycle,
        s.instrument,
        s.timepoint,
        cast(count(r.response_id) as integer) as responses_in_window
    from scheduled as s
    left join responses as r
        on {{ arvo_same_keys('r', 's', ['provider_id', 'episode_id', 'instrument']) }}
        and r.response_date between s.collection_opens and s.collection_closes
    group by s.provider_id, s.episode_id, s.scope, s.scope_code, s.cycle, s.instrument,
        s.timepoint

),

checked as (

    select
        s.*,
        c.responses_in_window,
        c.responses_in_window > 0 as is_collected,
        coalesce(
            {{ dbt.bool_or("case when s.timepoint = 'baseline' then c.responses_in_window > 0 end") }}
            over (partition by s.provider_id, s.episode_id, s.scope, s.scope_code, s.cycle,
                s.instrument),
            false) as baseline_collected
    from scheduled as s
    inner join collected as c
        on {{ arvo_same_keys('c', 's',
                             ['provider_id', 'episode_id', 'scope', 'scope_code', 'cycle',
                              'instrument', 'timepoint']) }}

),

final as (

    -- the window as scheduled, then what compliance makes of it
    select
        *,
        case when collection_closes <= {{ arvo_period_end() }} then 'closed' else 'open' end
            as window_state,
        collection_closes <= {{ arvo_period_end() }} as is_eligible,
        case
            when measure = 'paired' then is_collected and baseline_collected
            else is_collected
        end as is_met

    from checked
    where collection_closes >= {{ arvo_window_start() }}

)

select * from final
