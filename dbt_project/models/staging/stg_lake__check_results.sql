-- Kept as a table, brought up to date folder by folder: a build reads only the lake's
-- folders that are new or changed since the last (macros/lake_folders.sql).

{#- the typed columns: their SQL is part of each folder's version (a change of it reads
    the lake again) -#}
{%- set columns -%}
        -- ids
        {{- arvo_lake_columns(['provider_id', 'submission_month', 'entity', 'source_file']) }},
        cast(rule as varchar) as rule,

        -- the rule, in the Data Quality Dashboard's terms
        cast(category as varchar) as category,
        cast(subcategory as varchar) as subcategory,
        cast(severity as varchar) as severity,
        cast(threshold as double) as threshold,
        cast(rationale as varchar) as rationale,

        -- outcome
        cast(rows_checked as bigint) as rows_checked,
        cast(rows_failed as bigint) as rows_failed,
        lower(cast(status as varchar)) as status,
        cast(message as varchar) as message
{%- endset -%}
{%- set code_version = local_md5(columns) -%}
{{ config(**arvo_lake_table_config('check_results', code_version)) }}

with

source as (

    {{- arvo_lake_rows_to_read('check_results', code_version) }}

),

final as (

    select
        {{ columns }}

    from source

)

select * from final
