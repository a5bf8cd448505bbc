-- Kept as a table, brought up to date folder by folder: a build reads only the lake's
-- folders that are new or changed since the last (macros/lake_folders.sql).

{#- the typed columns: their SQL is part of each folder's version (a change of it reads
    the lake again) -#}
{%- set columns -%}
        -- ids
        cast(provider_id as varchar) as provider_id,
        cast(episode_id as varchar) as episode_id,
        cast(client_id as varchar) as client_id,

        -- client facts kept from the identity code
        cast(birth_date as date) as birth_date,
        cast(sex as varchar) as sex,

        -- episode
        upper(trim(cast(package_code as varchar))) as package_code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,

        -- optional case-mix fields: the client's situation at the start (null: not sent)
        {{- arvo_case_mix_columns() }},

        -- lineage
        {{- arvo_lake_columns(['submission_month', 'source_file', 'source_row']) }}
{%- endset -%}
{%- set code_version = local_md5(columns) -%}
{{ config(**arvo_lake_table_config('episodes', code_version)) }}

with

source as (

    {{- arvo_lake_rows_to_read('episodes', code_version) }}

),

final as (

    select
        {{ columns }}

    from source

)

select * from final
