with

source as (

    select * from {{ source('lake', 'proms') }}

),

final as (

    select
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

    from source

)

select * from final
