-- One row per quarantined row (1:1 with source lake.quarantined_rows). The row's own
-- values (`row_values`) stay in the quarantine: no model reads them.

with

source as (

    {% if arvo_files_exist(var('quarantine_dir') ~ '/*/*/*/*.parquet') %}
    select * from {{ source('lake', 'quarantined_rows') }}
    {% else %}
    -- an empty quarantine: no files to read, no rows
    select
        cast(null as varchar) as provider_id,
        cast(null as varchar) as month,
        cast(null as varchar) as filename,
        cast(null as varchar) as record_id,
        cast(null as varchar) as source_file,
        cast(null as bigint) as source_row,
        cast(null as varchar) as rule,
        cast(null as varchar) as column_name,
        cast(null as varchar) as reason,
        cast(null as varchar) as reason_json,
        cast(null as varchar) as file_sha256
    where false
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
