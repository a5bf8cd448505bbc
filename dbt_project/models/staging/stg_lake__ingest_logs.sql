with

source as (

    select * from {{ source('lake', 'ingest_log') }}

),

final as (

    select
        -- ids
        {{- arvo_lake_columns(['provider_id', 'submission_month', 'entity', 'source_file']) }},

        -- file
        cast(file_sha256 as varchar) as file_sha256,
        cast(file_format as varchar) as file_format,

        -- outcome
        cast(rows_in as bigint) as rows_in,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_quarantined as bigint) as rows_quarantined,
        coalesce(cast(blank_lines as bigint), 0) as blank_lines,
        lower(cast(status as varchar)) as status,
        cast(message as varchar) as message,
        cast(message_json as varchar) as message_json,
        cast(ingested_at as timestamp) as ingested_at,
        cast(received_at as timestamp) as received_at

    from source

)

select * from final
