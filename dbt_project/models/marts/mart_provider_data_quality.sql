-- Grain: period x provider x month x entity x source_file x status: what each
-- provider's files of the submission months in the window came to (from the ingest
-- log, whose partition per provider and month holds its latest ingestion only), when
-- each was received and whether it was late (macro arvo_due_by: the deadline of the
-- definitions in force at the period).

with

{{ arvo_import_ctes([
    ('ingest_logs', 'stg_lake__ingest_logs'),
    ('providers', 'stg_definitions__providers'),
]) }},

in_window as (

    select *
    from ingest_logs
    where {{ arvo_in_window('submission_month') }}

),

final as (

    select
        {{ arvo_provider_file_columns('l') }},
        cast(l.status as varchar) as status,
        cast(l.rows_in as bigint) as rows_in,
        cast(l.rows_accepted as bigint) as rows_accepted,
        cast(l.rows_quarantined as bigint) as rows_quarantined,
        cast(l.blank_lines as bigint) as blank_lines,
        cast(l.message as varchar) as message,
        cast(l.message_json as varchar) as message_json,
        cast(l.file_sha256 as varchar) as file_sha256,
        cast(l.received_at as timestamp) as received_at,
        {{ arvo_due_by('l.submission_month') }} as due_by,
        cast(case
            when l.received_at is null or {{ arvo_due_by('l.submission_month') }} is null
                then null
            when cast(l.received_at as date) > {{ arvo_due_by('l.submission_month') }}
                then true
            else false
        end as boolean) as is_late

    from in_window as l
    left join providers as pr
        on pr.provider_id = l.provider_id

)

{{ arvo_final_with_version() }}
