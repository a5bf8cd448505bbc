with

source as (

    select * from {{ source('lake', 'check_results') }}

),

final as (

    select
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

    from source

)

select * from final
