"""The payments section: amounts pass the small-cell rule on episodes, reasons are
structured for the template, and the payments partial renders in both reports."""

import json

from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED
from arvo.report.labels import Names
from arvo.report.payments import _total, payment_groups

KNOWN = Names(providers={}, packages={"DEPRESSION": ("Masennuksen hoitoketju", "")},
              segments={}, instruments={"PHQ9": "PHQ-9"})


def _rows(provider: str, episodes: int, outcome_flag: str = "none") -> list[dict]:
    base = {"provider_id": provider, "provider_name": provider, "package_code": "DEPRESSION",
            "episodes": episodes, "conditions_met": None, "figures": "[]"}
    conditions = [
        {"kind": "participation", "met": True, "judged": True, "threshold": 0.5,
         "figures": [{"instrument": "PHQ9", "rate": 0.9, "collected": 18, "eligible": 20}]},
        {"kind": "outcome", "met": outcome_flag != "alarm", "judged": True,
         "threshold": "alarm",
         "figures": [{"instrument": "PHQ9", "measure": "phq9_total", "flag": outcome_flag,
                      "direction": "worse", "z": -4.0, "pairs": 40}]}]
    met = outcome_flag != "alarm"
    return [base | {"line": "base", "amount_eur": 1000.0 * episodes},
            base | {"line": "uplift", "amount_eur": 80.0 * episodes if met else 0.0,
                    "conditions_met": met, "figures": json.dumps(conditions)},
            base | {"line": "cap", "amount_eur": 0.0},
            base | {"line": "total", "amount_eur": (1080.0 if met else 1000.0) * episodes}]


def test_a_worse_providers_lost_uplift_says_why_and_small_amounts_are_hidden():
    rows = _rows("A", 20, "alarm") + _rows("B", 30) + _rows("C", 3)
    groups = payment_groups(rows, {("PHQ9", "phq9_total"): "PHQ-9-summapistemäärä",
                                   ("GAD7", "phq9_total"): "väärä"}, KNOWN)
    a, b, c = groups
    assert a["total"] == 20000.0 and a["adjustments"][0]["met"] is False
    outcome = a["adjustments"][0]["conditions"][1]
    assert outcome["worse"] == ["PHQ-9-summapistemäärä"]
    assert a["adjustments"][0]["conditions"][0]["rates"][0]["instrument"] == "PHQ-9"
    assert b["adjustments"][0]["conditions"][1]["worse"] == []
    assert c["total"] is SUPPRESSED and c["episodes_shown"] is SUPPRESSED
    assert c["adjustments"][0]["amount"] is SUPPRESSED
    # the total would give the small one away: hidden, and the next smallest too
    assert _total(groups) is COMPLEMENTARY
    assert a["total"] is COMPLEMENTARY


def test_without_small_groups_the_total_is_the_sum():
    groups = payment_groups(_rows("A", 20) + _rows("B", 30), {}, KNOWN)
    assert _total(groups) == 20 * 1080.0 + 30 * 1080.0


def test_both_reports_show_the_payments_section(tiny_warehouse, fixed_time):
    from arvo.report.feedback import render_provider_feedback
    from arvo.report.steering import render_steering_report
    from tests.conftest import TINY_PERIODS

    settings = tiny_warehouse["settings"]
    html = render_steering_report(settings, TINY_PERIODS[1]).read_text(encoding="utf-8")
    section = html[html.index('<section id="maksut">'):]
    section = section[:section.index("</section>")]
    assert "Tulosperusteiset maksut" in section and "<caption>" in section
    assert "Masennuksen hoitoketju" in section and 'scope="col"' in section
    assert "&lt;5" in section  # the tiny lake's providers have under 5 episodes
    assert "outcome_uplift" not in section and "DEPRESSION" not in section  # no code names
    feedback = render_provider_feedback(settings, TINY_PERIODS[1], "1394810-8")
    text = feedback.html_path.read_text(encoding="utf-8")
    assert "Maksunne tältä kaudelta" in text and "Masennuksen hoitoketju" in text
