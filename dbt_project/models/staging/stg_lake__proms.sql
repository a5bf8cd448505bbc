-- Kept as a table, brought up to date folder by folder: a build reads only the lake's
-- folders that are new or changed since the last (macros/lake_folders.sql).

{#- the typed columns: their SQL is part of each folder's version (a change of it reads
    the lake again) -#}
{%- set columns -%}
        -- ids
        cast(provider_id as varchar) as provider_id,
        cast(response_id as varchar) as response_id,
        cast(episode_id as varchar) as episode_id,
        cast(client_id as varchar) as client_id,

        -- client facts kept from the identity code
        cast(birth_date as date) as birth_date,
        cast(sex as varchar) as sex,

        -- response
        upper(trim(cast(instrument as varchar))) as instrument,
        lower(trim(cast(timepoint as varchar))) as timepoint,
        cast(response_date as date) as response_date,
        {%- for i in range(1, 13) %}
        cast(q{{ i }} as integer) as q{{ i }},
        {%- endfor %}

        -- lineage
        {{- arvo_lake_columns(['submission_month', 'source_file', 'source_row']) }}
{%- endset -%}
{%- set code_version = local_md5(columns) -%}
{{ config(**arvo_lake_table_config('proms', code_version)) }}

with

source as (

    {{- arvo_lake_rows_to_read('proms', code_version) }}

),

final as (

    select
        {{ columns }}

    from source

)

select * from final
