-- Grain: period x provider x package x payment line, for every provider x package with
-- episodes in the period and a payment rule (definitions/payments.yml; a sector's own
-- rule replaces the package's `all` rule, rule_sector says which applied). Lines in
-- line_order: base (episodes x base price), each adjustment (uplift: paid when every
-- condition holds; withhold: the share of the base kept back unless every condition
-- holds), cap (what the cap takes back from the uplifts, 0 when it does not bind), total
-- (the sum of the lines above). conditions_met / failed_conditions / figures / reason say
-- which conditions decided an adjustment and on what figures (baseline participation
-- rates, funnel flags and z, obligations). Money: DECIMAL(18, 2) euros, exact. The rule
-- is arvo.payments.compute (int_provider_payments_computed; docs/payments.md).

with

computed as (

    select * from {{ ref('int_provider_payments_computed') }}

),

final as (

    select
        cast('{{ arvo_period() }}' as varchar) as period,
        cast(provider_id as varchar) as provider_id,
        cast(provider_name as varchar) as provider_name,
        cast(sector as varchar) as sector,
        cast(package_code as varchar) as package_code,
        cast(rule_sector as varchar) as rule_sector,
        cast(line_order as integer) as line_order,
        cast(line as varchar) as line,
        cast(adjustment as varchar) as adjustment,
        cast(episodes as bigint) as episodes,
        cast(amount_eur as decimal(18, 2)) as amount_eur,
        cast(conditions_met as boolean) as conditions_met,
        cast(failed_conditions as varchar) as failed_conditions,
        cast(figures as varchar) as figures,
        cast(reason as varchar) as reason

    from computed

)

{{ arvo_final_with_version() }}
