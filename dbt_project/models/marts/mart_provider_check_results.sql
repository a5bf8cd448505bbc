-- Grain: period x provider x month x entity x source_file x rule: how each file of the
-- submission months in the window fared on each rule of its Great Expectations
-- submission suite (expectations/suites/<entity>.json), from the check results the
-- ingest writes beside its log (one partition per provider and month, holding the
-- latest ingestion only). A rule fails a file when its share of failing rows is above
-- the rule's threshold; the failing rows themselves are in the quarantine.

with

{{ arvo_import_ctes([
    ('check_results', 'stg_lake__check_results'),
    ('providers', 'stg_definitions__providers'),
]) }},

in_window as (

    select *
    from check_results
    where {{ arvo_in_window('submission_month') }}

),

final as (

    select
        {{ arvo_provider_file_columns('c') }},
        cast(c.rule as varchar) as rule,
        cast(c.category as varchar) as category,
        cast(c.subcategory as varchar) as subcategory,
        cast(c.severity as varchar) as severity,
        cast(c.threshold as double) as threshold,
        cast(c.rows_checked as bigint) as rows_checked,
        cast(c.rows_failed as bigint) as rows_failed,
        cast(c.status as varchar) as status,
        cast(c.message as varchar) as message

    from in_window as c
    left join providers as pr
        on pr.provider_id = c.provider_id

)

{{ arvo_final_with_version() }}
