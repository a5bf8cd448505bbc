"""Grain: one row per provider x episode x schedule cycle x instrument x measure with a
pair (int_case_mix_inputs without a left-out reason): the follow-up score the package's
case-mix model expects for the client, and the model's record (pairs, parameters, R^2,
residual standard deviation, the factors used and those left out, with why).

One ordinary least squares model per package x instrument x measure over the pooled
pairs of the period (all providers): follow-up on baseline, baseline squared and the
package's factors (stg_definitions__case_mix_factors). The rule is
arvo.verdicts.casemix.fit (docs/verdicts.md).
"""

from arvo.verdicts import casemix


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = dbt.ref("int_case_mix_inputs").df()
    declared = dbt.ref("stg_definitions__case_mix_factors").df()
    factors_of = {
        package: rows.sort_values("factor_order")["factor"].tolist()
        for package, rows in declared.groupby("package_code")
    }
    pairs = inputs[inputs["left_out_reason"].isna()].drop(columns=["left_out_reason"])
    return casemix.fit_all(pairs, factors_of, default=[])
