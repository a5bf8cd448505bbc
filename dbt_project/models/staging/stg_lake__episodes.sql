with

source as (

    select * from {{ source('lake', 'episodes') }}

),

final as (

    select
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

    from source

)

select * from final
