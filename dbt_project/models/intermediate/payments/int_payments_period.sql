-- Grain: one row: the steering period being built (var period), for the Python model
-- int_provider_payments_computed, which reads the period's rows of the marts (a Python
-- model's configuration is fixed when the project is parsed, once per process).

with

final as (

    select cast('{{ arvo_period() }}' as varchar) as period

)

select * from final
