-- One row per episode x obligation scope x schedule cycle x instrument x timepoint: every
-- collection window of every obligation binding an episode, over the episode's whole life
-- as known at the period end. Not limited to the period's window: pairing
-- (int_episodes_paired) needs baselines from before it, and compliance
-- (int_episode_obligations_checked) keeps the windows that matter for the period.
--
-- The obligations binding an episode (int_episode_obligations_bound: its package's,
-- scope package, and its client's segment's for the period, scope segment). Each
-- scope's schedule is anchored on the episode start (cycle 0) and, where its obligation
-- restarts, again on each of that scope's restart dates (int_episode_restarts_detected,
-- cycles 1, 2, ...). A timepoint of a cycle is scheduled only if its target day comes
-- before the next restart. `while_open` is carried, not applied: compliance drops a
-- while_open timepoint whose window opened after the episode ended; pairing does not.

with

-- bound: each episode with every obligation entry binding it
{{ arvo_import_ctes([
    ('bound', 'int_episode_obligations_bound'),
    ('restarts', 'int_episode_restarts_detected'),
]) }},

anchors as (

    select distinct
        provider_id, episode_id, scope, scope_code, 0 as cycle, start_date as anchor_date
    from bound
    union all
    select provider_id, episode_id, scope, scope_code, cycle, restart_date as anchor_date
    from restarts

),

cycles as (

    select
        *,
        lead(anchor_date) over (
            partition by provider_id, episode_id, scope, scope_code order by cycle
        ) as next_anchor_date
    from anchors

),

scheduled as (

    select
        b.*,
        cast(cy.cycle as integer) as cycle,
        cy.anchor_date
    from bound as b
    inner join cycles as cy
        on {{ arvo_same_keys('cy', 'b',
                             ['provider_id', 'episode_id', 'scope', 'scope_code']) }}
    where cy.next_anchor_date is null
        or {{ arvo_add_days('cy.anchor_date', 'b.at_days') }} < cy.next_anchor_date

),

final as (

    -- the obligation's entry as bound, in its cycle, and the cycle's collection window
    select
        *,
        {{ arvo_add_days('anchor_date', 'at_days') }} as target_date,
        {{ arvo_add_days('anchor_date', 'from_days') }} as collection_opens,
        {{ arvo_add_days('anchor_date', 'to_days') }} as collection_closes

    from scheduled

)

select * from final
