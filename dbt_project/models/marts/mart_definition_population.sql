-- Grain: period x age_group x sex x municipality. The window's clients (pseudonymised
-- persons with a service event in the window) and their window costs, by age group
-- (0-17, 18-64, 65-74, 75-84, 85+), sex and home municipality ('unknown' when none was
-- sent). `is_small`: fewer than 5 clients, suppressed in the reports.

with

clients as (

    select * from {{ ref('int_clients_described') }}

),

aggregated as (

    select
        age_group,
        sex,
        municipality,
        count(*) as clients,
        sum(cost_eur) as cost_eur
    from clients
    group by age_group, sex, municipality

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(age_group as varchar) as age_group,
        cast(sex as varchar) as sex,
        cast(municipality as varchar) as municipality,
        cast(clients as bigint) as clients,
        cast(cost_eur as decimal(18, 2)) as cost_eur,
        {{ arvo_is_small('clients') }} as is_small

    from aggregated

)

{{ arvo_final_with_version() }}
