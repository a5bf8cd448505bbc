-- Kept as a table, brought up to date folder by folder: a build reads only the lake's
-- folders that are new or changed since the last (macros/lake_folders.sql).

{#- the typed columns: their SQL is part of each folder's version (a change of it reads
    the lake again) -#}
{%- set columns -%}
        -- ids
        cast(provider_id as varchar) as provider_id,
        cast(event_id as varchar) as event_id,
        cast(client_id as varchar) as client_id,
        cast(episode_id as varchar) as episode_id,

        -- client facts kept from the identity code
        cast(birth_date as date) as birth_date,
        cast(sex as varchar) as sex,

        -- event
        cast(event_date as date) as event_date,
        upper(trim(cast(service_code as varchar))) as service_code,
        upper(trim(cast(diagnosis as varchar))) as diagnosis,
        cast(cost_eur as decimal(18, 2)) as cost_eur,
        -- the client's home municipality (optional; 3-digit Statistics Finland code)
        nullif(trim(cast(municipality as varchar)), '') as municipality,

        -- lineage
        {{- arvo_lake_columns(['submission_month', 'source_file', 'source_row']) }}
{%- endset -%}
{%- set code_version = local_md5(columns) -%}
{{ config(**arvo_lake_table_config('events', code_version)) }}

with

source as (

    -- with the optional columns added to the contract later (municipality): files
    -- written before them read those columns as null
    {{- arvo_lake_rows_to_read('events', code_version, {'municipality': 'varchar'}) }}

),

final as (

    select
        {{ columns }}

    from source

)

select * from final
