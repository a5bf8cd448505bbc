-- Kept as a table, brought up to date folder by folder: a build reads only the lake's
-- folders that are new or changed since the last (macros/lake_folders.sql).

{#- the typed columns: their SQL is part of each folder's version (a change of it reads
    the lake again) -#}
{%- set columns -%}
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
{%- endset -%}
{%- set code_version = local_md5(columns) -%}
{{ config(**arvo_lake_table_config('ingest_log', code_version)) }}

with

source as (

    -- with the columns the log gained later (message_json, blank_lines, received_at):
    -- logs written before them read those columns as null
    {{- arvo_lake_rows_to_read('ingest_log', code_version, {
        'message_json': 'varchar', 'blank_lines': 'bigint', 'received_at': 'timestamp'}) }}

),

final as (

    select
        {{ columns }}

    from source

)

select * from final
