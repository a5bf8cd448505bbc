"""Grain: one row per provider x package with a payment rule (definitions/payments.yml)
and episodes in the period x payment line (base, each adjustment, cap, total): the line's
amount (Decimal euros as text, to the cent), whether its conditions held, which did not,
and the figures that decided them. The rule is arvo.payments.compute, the same function
the what-if (`arvo payments --rules FILE`) runs on the same marts' rows of the period:
mart_provider_value (episodes), mart_provider_funnel (case-mix adjusted verdicts) and
mart_prom_compliance (participation and obligations) and mart_objective_attainment
(targets), so a payment rests on exactly the verdicts the reports publish.
"""

from arvo.payments import compute, rules


def model(dbt, session):
    dbt.config(materialized="table")
    period = dbt.ref("int_payments_period").df()["period"].iloc[0]

    def rows(rel):
        return rel.filter(f"period = '{period}'").df()

    value = rows(dbt.ref("mart_provider_value"))
    funnel = rows(dbt.ref("mart_provider_funnel"))
    compliance = rows(dbt.ref("mart_prom_compliance"))
    attainment = rows(dbt.ref("mart_objective_attainment"))
    payment_rules = rules.from_table(dbt.ref("stg_definitions__payment_rules").df())
    return compute.compute(payment_rules, value, funnel, compliance, attainment)
