"""Grain: one row per provider x package x instrument x measure with pairs: the
provider's observed and expected mean follow-up (int_case_mix_predicted), its case-mix
adjusted outcome (indirect standardisation: population mean + observed - expected), and
the funnel-plot verdict on it and on the unadjusted outcome (observed mean follow-up),
by the one rule arvo.verdicts.funnel.judge with definitions/verdicts.yml's rules
(stg_definitions__verdict_rules) and the measure's direction (seed prom_measures).
"""

from arvo.verdicts import outcomes


def model(dbt, session):
    dbt.config(materialized="table")
    pairs = dbt.ref("int_case_mix_predicted").project(", ".join(outcomes.PAIR_COLUMNS)).df()
    rules = dbt.ref("stg_definitions__verdict_rules").df()
    measures = dbt.ref("prom_measures").df()
    return outcomes.judge_providers(pairs, outcomes.rules_from(rules), measures)
