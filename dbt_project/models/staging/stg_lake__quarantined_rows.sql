-- One row per quarantined row (1:1 with source lake.quarantined_rows). The row's own
-- values (`row_values`) stay in the quarantine: no model reads them.

with

source as (

    {% if arvo_files_exist(var('quarantine_dir') ~ '/*/*/*/*.parquet') %}
    select * from {{ source('lake', 'quarantined_rows') }}
    {% else %}
    -- an empty quarantine: no files to read, no rows
    {{ arvo_empty_relation({
        'provider_id': 'varchar', 'month': 'varchar', 'filename': 'varchar',
        'record_id': 'varchar', 'source_file': 'varchar', 'source_row': 'bigint',
        'rule': 'varchar', 'column_name': 'varchar', 'reason': 'varchar',
        'reason_json': 'varchar', 'file_sha256': 'varchar'}) }}
    {% endif %}

),

final as (

    select
        -- ids
        {{- arvo_lake_columns(['provider_id', 'submission_month']) }},
        {{ arvo_quarantine_entity('cast(filename as varchar)') }} as entity,
        {{- arvo_lake_columns(['source_file', 'file_sha256', 'source_row']) }},
        cast(record_id as varchar) as record_id,

        -- what is wrong
        cast(rule as varchar) as rule,
        cast(column_name as varchar) as column_name,
        cast(reason as varchar) as reason,
        cast(reason_json as varchar) as reason_json

    from source

)

select * from final
