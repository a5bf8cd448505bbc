"""The renewal rules (arvo/follow_up/renewal.py) on hand-made evaluations: each proposes
what docs/follow-up.md says, with the figures behind it, and nothing when its condition
does not hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arvo import definitions
from arvo.config import REPO_ROOT
from arvo.follow_up.evaluate import Evaluation
from arvo.follow_up.renewal import NOT_SHOWN, propose

P1, P2 = "2024-12", "2025-12"


@pytest.fixture(scope="module")
def defs():
    return definitions.load(REPO_ROOT / "definitions", period=P2)


def _unit(code, scope_type, scope_id, status, value, lower, upper, n=100, target=0.5,
          measure="baseline_participation_rate"):
    row = {"objective_code": code, "scope_type": scope_type, "scope_id": scope_id,
           "status": status, "value": value, "ci_lower": lower, "ci_upper": upper, "n": n,
           "successes": round(value * n), "target": target, "target_kind": "value",
           "comparison": "at_least", "measure": measure, "value_measurable": True,
           "period": P2}
    return {"objective_code": code, "scope_type": scope_type, "scope_id": scope_id,
            "provider_id": scope_id if scope_type == "provider" else None, "row": row,
            "series": [None, row], "status_last": status, "periods_met": 1,
            "periods_judged": 2, "trend": {}}


def _ev(objectives=(), uplifts=(), adjustments=(), baselines=None):
    return Evaluation(
        first=P1, last=P2, periods=[P1, P2], versions={}, objectives=list(objectives),
        obligations={"cells": [], "repeated": [], "rules": [], "region": [], "trend": None,
                     "baselines": baselines or {}},
        payments={"totals": [], "adjustments": list(adjustments), "last_base": {},
                  "uplifts_paid": list(uplifts)},
        outcomes={"packages": [], "withhold_groups": []},
        segments={"sizes": [], "outcomes": [], "moves": [], "unrecorded": []})


def _kinds(proposals, kind):
    return [p for p in proposals if p.kind == kind]


def test_a_target_met_everywhere_with_room_is_tightened_toward_the_old_one(defs):
    ev = _ev([_unit("HIP_KNEE_PARTICIPATION", "package", "HIP_KNEE", "met", 0.95, 0.897, 0.98),
              _unit("HIP_KNEE_PARTICIPATION", "provider", "X", "met", 0.96, 0.8, 0.99)])
    (p,) = _kinds(propose(ev, defs, "2026-01"), "tighten_target")
    index = [o.code for o in defs.objectives].index("HIP_KNEE_PARTICIPATION")
    assert (p.key, p.old, p.new) == (f"objectives[{index}].target", 0.5, 0.85)
    assert p.figures["ci_lower"] == 0.897 and p.figures["providers_met"] == 1


def test_a_provider_not_meeting_it_keeps_the_target(defs):
    ev = _ev([_unit("HIP_KNEE_PARTICIPATION", "package", "HIP_KNEE", "met", 0.95, 0.897, 0.98),
              _unit("HIP_KNEE_PARTICIPATION", "provider", "X", "near", 0.45, 0.3, 0.6)])
    assert not _kinds(propose(ev, defs, "2026-01"), "tighten_target")


def test_a_missed_target_is_kept_and_a_near_one_flagged(defs):
    ev = _ev([_unit("DEP_RECOVERY", "package", "DEPRESSION", "missed", 0.3, 0.25, 0.35,
                    measure="recovery_rate"),
              _unit("PUBLIC_BASELINE", "sector", "public", "near", 0.78, 0.74, 0.82,
                    target=0.8)])
    found = propose(ev, defs, "2026-01")
    (keep,) = _kinds(found, "keep_target")
    (near,) = _kinds(found, "near_target")
    assert keep.subject == "DEP_RECOVERY" and not keep.changes
    assert near.subject == "PUBLIC_BASELINE" and not near.changes


def test_a_status_or_share_the_reports_hide_shows_through_no_target_proposal(defs):
    # the scope's status would tell its hidden count: no proposal, its kind would say it
    told = _unit("DEP_RECOVERY", "package", "DEPRESSION", "missed", 0.3, 0.25, 0.35,
                 measure="recovery_rate")
    told["series"][-1]["status_tells_small"] = True
    assert not [p for p in propose(_ev([told]), defs, "2026-01")
                if p.subject == "DEP_RECOVERY"]
    # 97 of 100: the rest of 3 is hidden, so is every figure; met is not tightened, as
    # the new target would show the hidden bound
    ev = _ev([_unit("PUBLIC_BASELINE", "sector", "public", "near", 0.97, 0.92, 0.99,
                    target=0.99),
              _unit("HIP_KNEE_PARTICIPATION", "package", "HIP_KNEE", "met", 0.97, 0.915,
                    0.99),
              _unit("HIP_KNEE_PARTICIPATION", "provider", "X", "met", 0.95, 0.8, 0.99)])
    found = propose(ev, defs, "2026-01")
    (near,) = _kinds(found, "near_target")
    assert near.figures["value"] == NOT_SHOWN and near.figures["ci_lower"] == NOT_SHOWN
    assert "0.97" not in str(near.reason) and "give away a count of 1 to 4" in str(near.reason)
    assert not _kinds(found, "tighten_target")


def test_a_provider_whose_status_is_hidden_counts_neither_way(defs):
    hidden = _unit("HIP_KNEE_PARTICIPATION", "provider", "Y", "near", 0.9, 0.7, 0.97, n=30)
    hidden["series"][-1]["status_tells_small"] = True
    ev = _ev([_unit("HIP_KNEE_PARTICIPATION", "package", "HIP_KNEE", "met", 0.95, 0.897, 0.98),
              _unit("HIP_KNEE_PARTICIPATION", "provider", "X", "met", 0.96, 0.8, 0.99), hidden])
    (p,) = _kinds(propose(ev, defs, "2026-01"), "tighten_target")
    assert (p.figures["providers_judged"], p.figures["providers_not_shown"],
            p.figures["providers_met"]) == (2, 1, 1)
    assert "by all 1 providers judged whose status is shown (1 not shown" in str(p.reason)


def test_an_uplift_paid_under_the_obligation_follows_its_minimum(defs):
    paid = {"period": P2, "provider_id": "X", "package_code": "DEPRESSION",
            "rule_sector": "all", "adjustment": "outcome_uplift",
            "amount_eur": Decimal("576.00"), "rate": 0.5, "collected": 6, "eligible": 12,
            "episodes": 12}
    (p,) = _kinds(propose(_ev(uplifts=[paid]), defs, "2026-01"), "align_payment")
    assert (p.file, p.old, p.new) == ("payments.yml", 0.5, 0.8)
    assert p.edit["path"][-1] == "min_rate" and p.figures["paid_eur"] == "576.00"
    assert p.figures["provider_periods"] == [f"{P2} X 0.5"] and "576.00 EUR" in p.reason
    above = {**paid, "rate": 0.85, "collected": 17, "eligible": 20}
    assert not _kinds(propose(_ev(uplifts=[above]), defs, "2026-01"), "align_payment")


def test_an_uplift_paid_on_a_few_episodes_is_proposed_without_its_figures(defs):
    """The rule still sees a rate of 1 out of 3 episodes; the proposal shows neither it nor
    the euros paid for them (docs/follow-up.md "Disclosure")."""
    paid = {"period": P2, "provider_id": "X", "package_code": "DEPRESSION",
            "rule_sector": "all", "adjustment": "outcome_uplift",
            "amount_eur": Decimal("192.00"), "rate": 1 / 3, "collected": 1, "eligible": 3,
            "episodes": 3}
    (p,) = _kinds(propose(_ev(uplifts=[paid]), defs, "2026-01"), "align_payment")
    assert (p.old, p.new) == (0.5, 0.8)
    assert p.figures["paid_eur"] == NOT_SHOWN
    assert p.figures["provider_periods"] == [f"{P2} X {NOT_SHOWN}"]
    assert "192" not in p.reason and "0.333" not in p.reason and "not shown" in p.reason


def test_a_minimum_the_region_exceeds_with_room_is_raised(defs):
    entry = {"package_code": "HOME_CARE", "obligation_sector": "all", "collected": 196,
             "eligible": 200, "uppers": {"A": 0.99, "B": 0.88}, "passing": {"A": True,
                                                                          "B": True}}
    ev = _ev(baselines={P1: [entry], P2: [entry]})
    (p,) = _kinds(propose(ev, defs, "2026-01"), "raise_obligation")
    assert (p.old, p.new) == (0.8, 0.9)  # Wilson lower bound of 196/200: 0.9497
    assert p.figures["would_newly_fail"] == ["B"]
    # 4 episodes without a baseline: the counts, the rate and its bound are not shown
    assert p.figures["collected"] == NOT_SHOWN and "rate" not in p.figures
    assert "196" not in p.reason and "0.95" not in p.reason
    shown = {**entry, "collected": 190}  # 10 without: shown
    (p,) = _kinds(propose(_ev(baselines={P1: [shown], P2: [shown]}), defs, "2026-01"),
                  "raise_obligation")
    assert (p.old, p.new) == (0.8, 0.9)  # Wilson lower bound of 190/200: 0.910
    assert (p.figures["collected"], p.figures["eligible"]) == (190, 200)
    assert "190 of 200" in p.reason
    low = {**entry, "collected": 170}
    assert not _kinds(propose(_ev(baselines={P1: [low], P2: [low]}), defs, "2026-01"),
                      "raise_obligation")


def test_an_uplift_nobody_reached_is_put_up_for_review_without_a_change(defs):
    never = {"package_code": "HIP_KNEE", "rule_sector": "all",
             "adjustment": "best_practice_uplift", "line": "uplift", "provider_periods": 6,
             "providers": 3, "conditions_met": 0, "applied": 0, "amount_eur": Decimal("0"),
             "failed_conditions": "participation"}
    (p,) = _kinds(propose(_ev(adjustments=[never]), defs, "2026-01"), "review_payment")
    assert not p.changes and p.figures["conditions_met"] == 0


def _segment(code, eq5d=(0, None), phq9=(0, None), clients=400):
    return {"period": P2, "segment_code": code, "clients": clients,
            "pairs": {"EQ5D5L": eq5d, "PHQ9": phq9}}


def _segment_ev(segments, higher_is_better):
    """An evaluation whose segments are `segments`, with their pairs and mean change per
    instrument as mart_segment_outcomes has them (the direction: `higher_is_better`,
    None for an instrument the seed gives none)."""
    ev = _ev()
    sizes = [{k: v for k, v in s.items() if k != "pairs"} for s in segments]
    outcomes = [{"period": s["period"], "segment_code": s["segment_code"], "instrument": i,
                 "pairs": n, "change_mean": mean, "higher_is_better": higher_is_better.get(i)}
                for s in segments for i, (n, mean) in sorted(s["pairs"].items())]
    ev.segments = {"sizes": sizes, "outcomes": outcomes, "moves": [], "unrecorded": []}
    return ev


def test_a_segment_with_pairs_and_no_objective_gets_one_the_seeds_way_up(defs):
    # PHQ-9: lower is better (seed prom_measures), so a mean change of -4.237 is a gain
    # of 4.237; the target is that gain rounded toward worse
    ev = _segment_ev([_segment("MULTIMORBID", phq9=(12, -4.237))],
                     {"EQ5D5L": True, "PHQ9": False})
    (p,) = _kinds(propose(ev, defs, "2026-01"), "new_objective")
    assert p.subject == "segment:MULTIMORBID"
    assert (p.new["instrument"], p.new["target"]) == ("PHQ9", 4.23)
    assert p.figures == {"period": P2, "pairs": 12, "mean_gain": 4.237}
    # the direction is the seed's, not the code's: were PHQ-9 higher-is-better, the
    # same change would be a loss
    ev = _segment_ev([_segment("MULTIMORBID", phq9=(12, -4.237))], {"PHQ9": True})
    (p,) = _kinds(propose(ev, defs, "2026-01"), "new_objective")
    assert p.new["target"] == -4.24


def test_no_segment_objective_on_too_few_pairs_an_objective_or_no_direction(defs):
    sizes = [_segment("MULTIMORBID", eq5d=(9, 0.05)),          # under 10 pairs
             _segment("HNHC", eq5d=(40, 0.05)),                 # has an objective
             _segment("FRAIL_ELDERLY", phq9=(30, -3.0))]        # no direction known
    ev = _segment_ev(sizes, {"EQ5D5L": True})
    assert not _kinds(propose(ev, defs, "2026-01"), "new_objective")
    # the EQ-5D-5L pairs come first where both instruments have enough
    ev = _segment_ev([_segment("MULTIMORBID", eq5d=(10, 0.05), phq9=(30, -3.0))],
                     {"EQ5D5L": True, "PHQ9": False})
    (p,) = _kinds(propose(ev, defs, "2026-01"), "new_objective")
    assert (p.new["instrument"], p.new["target"]) == ("EQ5D5L", 0.05)


def test_a_segment_obligation_is_extended_where_most_clients_already_have_pairs(defs):
    # FRAIL_ELDERLY's and HNHC's obligations (definitions at P2) collect EQ-5D-5L: of the
    # other segments with 100 clients or more, the one with the highest share of clients
    # with an EQ-5D-5L pair at P2, if 10 % or more (mart_segment_outcomes' pairs per
    # segment and instrument); one extension per segment
    ev = _segment_ev([_segment("MULTIMORBID", eq5d=(60, 0.05), clients=400),       # 15 %
                      _segment("SINGLE_CHRONIC", eq5d=(50, 0.05), clients=200),    # 25 %
                      _segment("MOSTLY_HEALTHY", eq5d=(50, 0.05), clients=99)],    # small
                     {"EQ5D5L": True, "PHQ9": False})
    first, second = _kinds(propose(ev, defs, "2026-01"), "extend_obligation")
    assert (first.subject, second.subject) == ("segment:SINGLE_CHRONIC", "segment:MULTIMORBID")
    assert {k: first.figures[k] for k in ("instrument", "pairs", "clients", "coverage")} == {
        "instrument": "EQ5D5L", "pairs": 50, "clients": 200, "coverage": 0.25}
    assert all(item["segment"] == "SINGLE_CHRONIC" for item in first.new)


def test_no_extension_without_pairs_on_the_obligations_instrument(defs):
    # only PHQ-9 pairs at P2: the EQ-5D-5L obligations have no coverage to go on
    ev = _segment_ev([_segment("MULTIMORBID", phq9=(300, -3.0), clients=400)],
                     {"EQ5D5L": True, "PHQ9": False})
    assert not _kinds(propose(ev, defs, "2026-01"), "extend_obligation")
