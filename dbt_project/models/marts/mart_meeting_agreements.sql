-- Grain: period x provider x agreed action (meeting x agreement_row): the actions agreed
-- at the provider's earlier steering meetings that are still open, carried to the
-- period's agenda (arvo.report.agenda), with whether their due period has come.

with

{{ arvo_import_ctes([
    ('agreements', 'stg_definitions__meeting_agreements'),
    ('providers', 'stg_definitions__providers'),
]) }},

carried as (

    select *
    from agreements
    where meeting < '{{ arvo_period() }}'
      and status = 'open'

),

final as (

    select
        {{ arvo_provider_columns('c') }},
        cast(c.meeting as varchar) as meeting,
        cast(c.agreement_row as integer) as agreement_row,
        cast(c.topic as varchar) as topic,
        cast(c.action as varchar) as action,
        cast(c.responsible as varchar) as responsible,
        cast(c.due as varchar) as due,
        coalesce(c.due <= '{{ arvo_period() }}', false) as is_due

    from carried as c
    left join providers as pr
        on pr.provider_id = c.provider_id

)

{{ arvo_final_with_version() }}
