-- Grain: period x provider x quarantined row (entity x submission month x source file
-- x file content x source row): the rows a provider is asked to fix in the period's
-- feedback (rows_to_fix.csv), i.e. its quarantined rows of submission months up to
-- the period, as the quarantine held them when the period was built. The marts keep
-- every period, so "what changed since the previous period" compares two periods'
-- rows here. Never the row's own values: only where it is and what is wrong.

with

{{ arvo_import_ctes([
    ('quarantined_rows', 'stg_lake__quarantined_rows'),
    ('providers', 'stg_definitions__providers'),
]) }},

up_to_period as (

    select *
    from quarantined_rows
    where submission_month <= '{{ arvo_period() }}'

),

final as (

    select
        {{ arvo_provider_file_columns('q') }},
        cast(q.file_sha256 as varchar) as file_sha256,
        cast(q.source_row as bigint) as source_row,
        cast(q.record_id as varchar) as record_id,
        cast(q.column_name as varchar) as column_name,
        cast(q.rule as varchar) as rule,
        cast(q.reason as varchar) as reason,
        cast(q.reason_json as varchar) as reason_json

    from up_to_period as q
    left join providers as pr
        on pr.provider_id = q.provider_id

)

{{ arvo_final_with_version() }}
