"""The payment computation on handmade marts' rows: conditions, amounts, cap, totals."""

import json
from decimal import Decimal

import pandas as pd
import pytest

from arvo.payments.compute import compute, totals
from arvo.payments.rules import PaymentRules

RULES = PaymentRules(rules=[{
    "package": "DEPRESSION", "base_per_episode": "1000.00",
    "adjustments": [
        {"name": "outcome_uplift", "kind": "uplift", "share_of_base": "0.1",
         "when": [{"kind": "participation", "min_rate": "0.5"}, {"kind": "outcome"}]},
        {"name": "collection_withhold", "kind": "withhold", "share_of_base": "0.025",
         "when": [{"kind": "obligations"}]}],
    "cap": {"amount": "3000.00"}}])

PROVIDERS = ("good", "worse", "under", "small", "big")


def _value() -> pd.DataFrame:
    episodes = {"good": 20, "worse": 20, "under": 20, "small": 3, "big": 40}
    return pd.DataFrame([{"provider_id": p, "provider_name": p.title(), "sector": "private",
                          "package_code": "DEPRESSION", "episodes": episodes[p]}
                         for p in PROVIDERS] + [
        {"provider_id": "good", "provider_name": "Good", "sector": "private",
         "package_code": "NO_RULE", "episodes": 9}])


def _funnel() -> pd.DataFrame:
    flags = {"good": ("none", "as_expected"), "worse": ("alarm", "worse"),
             "under": ("too_few_pairs", "as_expected"), "small": ("too_few_pairs", "as_expected"),
             "big": ("alert", "worse")}
    rows = []
    for p, (flag, direction) in flags.items():
        for inst, measure in (("EQ5D5L", "eq5d_index"), ("PHQ9", "phq9_total")):
            rows.append({"provider_id": p, "package_code": "DEPRESSION", "instrument": inst,
                         "measure": measure, "is_primary": True, "flag": flag,
                         "direction": direction, "z": -4.0 if flag == "alarm" else 0.1,
                         "pairs": 40})
        rows.append({"provider_id": p, "package_code": "DEPRESSION", "instrument": "EQ5D5L",
                     "measure": "eq_vas", "is_primary": False, "flag": "alarm",
                     "direction": "worse", "z": -5.0, "pairs": 40})
    return pd.DataFrame(rows)


def _compliance() -> pd.DataFrame:
    rate = {"good": 0.9, "worse": 0.85, "under": 0.3, "big": 0.5}  # small: nothing due yet
    rows = []
    for p, r in rate.items():
        for tp in ("baseline", "followup_6m"):
            rows.append({"provider_id": p, "package_code": "DEPRESSION", "scope": "package",
                         "instrument": "PHQ9", "timepoint": tp, "eligible_episodes": 20,
                         "collected": round(r * 20), "rate": r, "min_rate": 0.8,
                         "meets_obligation": r >= 0.6})
    rows.append({"provider_id": "good", "package_code": None, "scope": "segment",
                 "instrument": "PHQ9", "timepoint": "baseline", "eligible_episodes": 20,
                 "collected": 0, "rate": 0.0, "min_rate": 0.8, "meets_obligation": False})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return compute(RULES, _value(), _funnel(), _compliance())


def _line(lines, provider, line):
    return lines[(lines["provider_id"] == provider) & (lines["line"] == line)].iloc[0]


def test_the_uplift_follows_participation_and_the_adjusted_outcome(lines):
    good = _line(lines, "good", "uplift")
    assert good["conditions_met"] and good["amount_eur"] == "2000.00"
    worse = _line(lines, "worse", "uplift")
    assert not worse["conditions_met"] and worse["amount_eur"] == "0.00"
    assert worse["failed_conditions"] == "outcome"
    assert "phq9_total alarm worse (z -4.0)" in worse["reason"]
    assert "eq_vas" not in worse["reason"]  # only the primary measures by default
    under = _line(lines, "under", "uplift")
    assert under["failed_conditions"] == "participation"
    assert "PHQ9 baseline 0.30 (6/20)" in under["reason"]
    # an alert is not significantly below average at the alarm level
    assert _line(lines, "big", "uplift")["conditions_met"]


def test_a_provider_too_small_to_judge_keeps_the_uplift_and_nothing_due_is_met(lines):
    small = _line(lines, "small", "uplift")
    assert small["conditions_met"] and small["amount_eur"] == "300.00"
    figures = json.loads(small["figures"])
    assert [f["judged"] for f in figures] == [False, False]
    strict = PaymentRules(rules=[{
        "package": "DEPRESSION", "base_per_episode": "1000.00",
        "adjustments": [{"name": "u", "kind": "uplift", "per_episode": "10",
                         "when": [{"kind": "outcome", "when_not_judged": "not_met"}]}]}])
    out = compute(strict, _value(), _funnel(), _compliance())
    assert not _line(out, "small", "uplift")["conditions_met"]


def test_obligations_on_1_to_4_eligible_episodes_are_not_judged():
    # the steering report neither shows nor assesses them (docs/disclosure.md); a
    # payment follows the same verdicts unless the rule says otherwise
    rows = _compliance()
    rows = rows[rows["provider_id"] == "good"]
    small = rows.iloc[:1].assign(instrument="EQ5D5L", eligible_episodes=3, collected=0,
                                 rate=0.0, meets_obligation=False)
    compliance = pd.concat([rows, small], ignore_index=True)
    out = compute(RULES, _value(), _funnel(), compliance)
    uplift, withhold = _line(out, "good", "uplift"), _line(out, "good", "withhold")
    assert uplift["conditions_met"] and withhold["conditions_met"]
    assert withhold["amount_eur"] == "0.00"
    participation = json.loads(uplift["figures"])[0]
    assert [f["judged"] for f in participation["figures"]] == [False, True]
    assert "EQ5D5L baseline not judged (under 5 eligible)" in uplift["reason"]
    assert "(0/3)" not in uplift["reason"]
    assert "all judged met; 1 not judged (under 5 eligible)" in withhold["reason"]
    strict = PaymentRules(rules=[{
        "package": "DEPRESSION", "base_per_episode": "1000.00",
        "adjustments": [
            {"name": "u", "kind": "uplift", "per_episode": "10", "when": [
                {"kind": "participation", "min_rate": "0.5", "when_not_judged": "not_met"}]},
            {"name": "w", "kind": "withhold", "share_of_base": "0.025",
             "when": [{"kind": "obligations", "when_not_judged": "not_met"}]}]}])
    out = compute(strict, _value(), _funnel(), compliance)
    assert _line(out, "good", "uplift")["failed_conditions"] == "participation"
    assert _line(out, "good", "withhold")["amount_eur"] == "-500.00"
    # 1 to 4 eligible episodes only: nothing judged
    out = compute(RULES, _value(), _funnel(), small)
    assert json.loads(_line(out, "good", "withhold")["figures"])[0]["judged"] is False


def test_withhold_cap_and_totals(lines):
    assert _line(lines, "under", "withhold")["amount_eur"] == "-500.00"  # 2.5 % of 20,000
    assert _line(lines, "good", "withhold")["amount_eur"] == "0.00"  # segment rows ignored
    big_cap = _line(lines, "big", "cap")
    assert big_cap["amount_eur"] == "-1000.00"  # uplift 4,000 capped at 3,000
    for (p, _), own in lines.groupby(["provider_id", "package_code"]):
        amounts = own.set_index("line")["amount_eur"].map(Decimal)
        assert amounts["total"] == amounts.drop("total").sum(), p
    assert set(lines["package_code"]) == {"DEPRESSION"}  # no rule, no lines
    t = totals(lines).set_index("provider_id")["total_eur"]
    # big: 40,000 + 4,000 uplift - 1,000 cap - 1,000 withheld (follow-up 0.5 < 0.6)
    assert t["big"] == Decimal("42000.00") and t["under"] == Decimal("19500.00")


def test_amounts_are_exact_to_the_cent():
    rules = PaymentRules(rules=[{"package": "DEPRESSION", "base_per_episode": "333.33",
                                 "adjustments": [{"name": "u", "kind": "uplift",
                                                  "share_of_base": "0.0333",
                                                  "when": [{"kind": "obligations"}]}]}])
    out = compute(rules, _value().head(1), _funnel(), _compliance())
    assert _line(out, "good", "base")["amount_eur"] == "6666.60"
    assert _line(out, "good", "uplift")["amount_eur"] == "222.00"  # 221.997.. half up


def test_a_target_condition_pays_only_for_the_objectives_met():
    """An uplift tied to an objective (definitions/objectives.yml) of the provider's own
    row of mart_objective_attainment: met pays, near pays only with accept_near, missed
    does not, not measurable pays unless when_not_measurable is not_met."""
    rules = PaymentRules(rules=[{
        "package": "DEPRESSION", "base_per_episode": "1000.00",
        "adjustments": [
            {"name": "recovery", "kind": "uplift", "per_episode": "50.00",
             "when": [{"kind": "target", "objectives": ["DEP_RECOVERY"]}]},
            {"name": "recovery_near", "kind": "uplift", "per_episode": "10.00",
             "when": [{"kind": "target", "objectives": ["DEP_RECOVERY"], "accept_near": True,
                       "when_not_measurable": "not_met"}]}]}])
    status = {"good": "met", "worse": "missed", "under": "near"}  # small, big: no row
    attainment = pd.DataFrame(
        [{"provider_id": p, "scope_type": "provider", "objective_code": "DEP_RECOVERY",
          "objective_name_fi": "PHQ-9-toipuminen", "status": s, "value": 0.5, "target": 0.5}
         for p, s in status.items()]
        + [{"provider_id": None, "scope_type": "package", "objective_code": "DEP_RECOVERY",
            "objective_name_fi": "PHQ-9-toipuminen", "status": "missed", "value": 0.3,
            "target": 0.5}])
    got = compute(rules, _value(), _funnel(), _compliance(), attainment)
    paid = {(r.provider_id, r.adjustment): Decimal(r.amount_eur)
            for r in got.itertuples() if r.line == "uplift"}
    assert paid == {
        ("good", "recovery"): Decimal("1000.00"), ("good", "recovery_near"): Decimal("200.00"),
        ("worse", "recovery"): Decimal("0.00"), ("worse", "recovery_near"): Decimal("0.00"),
        ("under", "recovery"): Decimal("0.00"), ("under", "recovery_near"): Decimal("200.00"),
        ("small", "recovery"): Decimal("150.00"), ("small", "recovery_near"): Decimal("0.00"),
        ("big", "recovery"): Decimal("2000.00"), ("big", "recovery_near"): Decimal("0.00")}
    worse = got[(got.provider_id == "worse") & (got.adjustment == "recovery")].iloc[0]
    assert worse.failed_conditions == "target"
    figures = json.loads(worse.figures)[0]
    assert figures["figures"][0] == {"objective": "DEP_RECOVERY", "status": "missed",
                                     "name_fi": "PHQ-9-toipuminen", "name_sv": None,
                                     "name_en": None, "value": 0.5, "target": 0.5}
    # without attainment rows (a warehouse built before objectives) nothing is measurable
    bare = compute(rules, _value(), _funnel(), _compliance())
    assert set(bare[bare.adjustment == "recovery"].conditions_met) == {True}
