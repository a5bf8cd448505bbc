"""The payments section: amounts pass the small-cell rule on episodes, reasons are
structured for the template, and the payments partial renders in both reports and in
each language."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from arvo.messages import msg
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED
from arvo.report.formatting import environment
from arvo.report.labels import Names
from arvo.report.payments import TARGET_STATUSES, _total, payment_groups

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
    # a measure of labels.MEASURES is a message in the report's language
    assert [w.render("fi") for w in outcome["worse"]] == ["PHQ-9-pisteet"]
    assert [w.render("sv") for w in outcome["worse"]] == ["PHQ-9-poäng"]
    assert a["adjustments"][0]["conditions"][0]["rates"][0]["instrument"] == "PHQ-9"
    assert b["adjustments"][0]["conditions"][1]["worse"] == []
    assert c["total"] is SUPPRESSED and c["episodes_shown"] is SUPPRESSED
    assert c["adjustments"][0]["amount"] is SUPPRESSED
    # the total would give the small one away: hidden, and the next smallest too
    assert _total(groups) is COMPLEMENTARY
    assert a["total"] is COMPLEMENTARY
    # and its episodes and uplift: the price times 20 episodes, with the uplift, would
    # give its total back, and the budget's episodes (the groups' sum) less 20 and 30, C's 3
    assert a["episodes_shown"] is COMPLEMENTARY
    assert a["adjustments"][0]["amount"] is COMPLEMENTARY
    assert b["episodes_shown"] == 30 and b["total"] == 30 * 1080.0


def test_the_budget_hides_the_segment_the_segment_table_hides():
    """The budget table's clients and costs are the segment table's; the headline's
    totals less the budget's rows would give a small segment back where the segment
    table's complement (the next smallest segment) is shown here."""
    from arvo.report.payments import budget_view
    from arvo.report.steering import segment_view

    rows = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c,
             "kaiser_level": "x", "clients": n, "total_cost_eur": 100.0 * n,
             "cost_per_client_eur": 100.0, "client_share": 0.1, "cost_share": 0.1,
             "episodes": 50, "episode_cost_eur": 10.0, "rule_payment_eur": 9.0,
             "difference_eur": 1.0} for c, n in (("S", 3), ("T", 40), ("U", 900))]
    budget = budget_view(rows)
    segments = segment_view(rows, [])
    assert budget[0]["clients"] is SUPPRESSED and segments[0]["clients"] is SUPPRESSED
    assert budget[1]["clients"] is COMPLEMENTARY and segments[1]["clients"] is COMPLEMENTARY
    assert budget[1]["total_cost_eur"] is COMPLEMENTARY and budget[1]["episodes"] == 50
    assert budget[2]["clients"] == 900


def test_below_the_requirement_is_not_said_beside_a_hidden_rate():
    from arvo.report.payments import _condition

    condition = {"kind": "participation", "met": False, "judged": True, "threshold": 0.5,
                 "figures": [{"instrument": "PHQ9", "rate": 0.4, "collected": 8,
                              "eligible": 20},
                             {"instrument": "EQ5D5L", "rate": 0.2, "collected": 1,
                              "eligible": 5}]}
    shown, small = _condition(condition, {}, KNOWN, "fi")["rates"]
    assert shown["below"] and shown["rate"] == 0.4
    assert small["rate"] is SUPPRESSED and not small["below"]  # 1 of 5: "below" told it


def test_rows_on_1_to_4_eligible_episodes_are_not_counted_as_failed_obligations():
    from arvo.report.payments import _condition

    condition = {"kind": "obligations", "met": True, "judged": True, "threshold": None,
                 "when_not_judged": "met",
                 "figures": [{"met": True, "judged": True}, {"met": False, "judged": False},
                             {"met": False, "judged": False}]}
    shown = _condition(condition, {}, KNOWN, "fi")
    assert (shown["failed"], shown["small"], shown["small_met"]) == (0, 2, True)
    old = {**condition, "figures": [{"met": False}]}  # a period paid before: all judged
    del old["when_not_judged"]
    assert (_condition(old, {}, KNOWN, "fi")["failed"], _condition(old, {}, KNOWN, "fi")["small"]
            ) == (1, 0)


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


def test_the_payments_views_speak_the_reports_language(tiny_warehouse):
    """The views on a built warehouse in Swedish and English: packages and segments named
    in the language, no Finnish words of the section (providers' names are data)."""
    from arvo.report.payments import provider_payments, steering_payments
    from tests.conftest import TINY_PERIODS

    settings, period = tiny_warehouse["settings"], TINY_PERIODS[1]
    for lang, heading, own_heading in (
            ("sv", "Resultatbaserade ersättningar", "Era ersättningar för denna period"),
            ("en", "Outcome-based payments", "Your payments for this period")):
        text = _section(settings.templates_dir, lang, steering_payments(settings, period, lang))
        own = provider_payments(settings, period, "1394810-8", lang)
        text += _section(settings.templates_dir, lang, own, "provider_section(p)")
        assert heading in text and own_heading in text
        assert ("Vårdkedja för depression" if lang == "sv" else "Depression care pathway") in text
        left = [w for w in FINNISH_ONLY if w in text]
        assert not left, (lang, left)


def test_a_measure_without_words_of_its_own_keeps_the_seeds_label():
    rows = _rows("A", 20, "alarm")
    figures = json.loads(rows[1]["figures"])
    figures[1]["figures"][0] |= {"instrument": "OHS", "measure": "ohs_total"}
    rows[1]["figures"] = json.dumps(figures)
    groups = payment_groups(rows, {("OHS", "ohs_total"): "Oxford Hip Score"}, KNOWN)
    assert groups[0]["adjustments"][0]["conditions"][1]["worse"] == ["Oxford Hip Score"]


FINNISH_ONLY = ("maksu", "Maksu", "hoitojakso", "Hoitojakso", "alveluntuottaja",
                "Palvelupaketti", "Perushinta", "Lisäpalkki", "lisäpalkki", "pidät",
                "Katto", "Yhteensä", "Segmentti", "Asiakkaat", "ustannukset", "Erotus", "euroa",
                "lähtötason", "vakioitu", "tavoitteet", "keruuvelvoit", "täyty", "lähellä",
                "mitattavissa", "hälytys", "varoitus", "vaatimuksen", "peitetty", "kaudelta",
                "Osuus", "ei makseta")
"""Words of the Finnish payments section's own text (not of its data)."""


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _conditions() -> list[dict]:
    """One condition of every kind and outcome the template words."""
    objectives = [{"name": "Objective X", "status": TARGET_STATUSES[s]}
                  for s in ("met", "near", "missed", "not_measurable")]
    conditions = [
        {"kind": "participation", "met": True, "judged": False, "threshold": 0.5},
        {"kind": "participation", "met": False, "judged": True, "threshold": 0.5,
         "rates": [{"instrument": "PHQ-9", "rate": 0.4, "below": True},
                   {"instrument": "GAD-7", "rate": 0.9, "below": False}]},
        {"kind": "outcome", "met": True, "judged": False, "threshold": "alarm"},
        {"kind": "outcome", "met": False, "judged": False, "threshold": "alarm"},
        {"kind": "outcome", "met": False, "judged": True, "threshold": "alarm",
         "worse": [msg("{instrument} score", instrument="PHQ-9"), "Oxford Hip Score"]},
        {"kind": "outcome", "met": False, "judged": True, "threshold": "alert",
         "worse": [msg("{instrument} score", instrument="PHQ-9")]},
        {"kind": "outcome", "met": True, "judged": True, "threshold": "alarm", "worse": []},
        {"kind": "target", "met": False, "judged": True, "threshold": "near",
         "objectives": objectives},
        {"kind": "target", "met": False, "judged": True, "threshold": "met",
         "objectives": objectives},
        {"kind": "obligations", "met": True, "judged": False, "threshold": None},
        {"kind": "obligations", "met": False, "judged": True, "threshold": None, "failed": 3},
        {"kind": "obligations", "met": True, "judged": True, "threshold": None, "failed": 0},
        # rows on 1 to 4 eligible episodes: not judged, deemed met or counted as not met
        {"kind": "participation", "met": True, "judged": False, "threshold": 0.5,
         "small": 1, "small_met": True},
        {"kind": "participation", "met": False, "judged": True, "threshold": 0.5,
         "small": 1, "small_met": False,
         "rates": [{"instrument": "PHQ-9", "rate": 0.9, "below": False, "judged": True},
                   {"instrument": "GAD-7", "rate": SUPPRESSED, "below": False,
                    "judged": False}]},
        {"kind": "obligations", "met": False, "judged": False, "threshold": None,
         "small": 2, "small_met": False},
        {"kind": "obligations", "met": True, "judged": True, "threshold": None, "failed": 0,
         "small": 2, "small_met": True},
    ]
    # as _condition gives them: no row on 1 to 4 eligible episodes unless said
    for c in conditions:
        c.setdefault("small", 0)
        c.setdefault("small_met", True)
        for r in c.get("rates", []):
            r.setdefault("judged", True)
    return conditions


def _payments() -> dict:
    groups = [{"provider_name": "Provider X", "package": "Package X", "episodes_shown": 1234,
               "base": 1234567.5, "cap": 1000.0, "total": 1300000.0,
               "adjustments": [{"kind": kind, "amount": 800.0, "met": met,
                                "conditions": _conditions()}
                               for kind in ("uplift", "withhold") for met in (True, False)]}]
    budget = [{"name": "Segment X", "clients": 120, "total_cost_eur": 500000.0,
               "episodes": 40, "episode_cost_eur": 100000.0, "rule_payment_eur": 110000.0,
               "difference_eur": 10000.0}]
    return {"groups": groups, "total": 1300000.0, "budget": budget}


def _section(templates_dir: Path, lang: str, payments: dict,
             calls: str = "steering_section(p), provider_section(p), steering_section(none_)"
             ) -> str:
    return _text(environment(templates_dir, lang).from_string(
        '{% from "payments.html.j2" import steering_section, provider_section %}'
        "{{ [" + calls + "] | join(' ') }}").render(p=payments, none_={"groups": []}))


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """Both payments sections, every reason worded, and the empty one, in each language."""
    templates = Path(__file__).parents[2] / "reports" / "templates"
    return {lang: _section(templates, lang, _payments()) for lang in ("fi", "sv", "en")}


def test_the_payments_sections_in_swedish_or_english_have_no_finnish_text(sections):
    present = [w for w in FINNISH_ONLY if w in sections["fi"]]
    assert len(present) == len(FINNISH_ONLY), set(FINNISH_ONLY) - set(present)
    for lang in ("sv", "en"):
        left = [w for w in FINNISH_ONLY if w in sections[lang]]
        assert not left, (lang, left)
    assert "Lisäpalkkiota ei makseta:" in sections["fi"]
    assert "vakioitu tulos oli merkitsevästi keskimääräistä heikompi (PHQ-9-pisteet, " \
        "Oxford Hip Score, hälytys)" in sections["fi"]
    assert "Tilläggsersättningen betalas inte:" in sections["sv"]
    assert "(PHQ-9-poäng, varning)" in sections["sv"]
    assert "Objective X – near" in sections["en"] and "Objective X – nära" in sections["sv"]
    assert "3 PROM collection obligations were not met" in sections["en"]
    en = sections["en"]
    assert ("the baseline participation was not assessed (fewer than 5 eligible episodes, "
            "deemed met)") in en
    assert ("PHQ-9 90.0%, GAD-7 not assessed (fewer than 5 eligible episodes, counted as "
            "not met)") in en
    assert ("collection obligations were not assessed (fewer than 5 eligible episodes, "
            "counted as not met)") in en
    assert ("all assessed PROM collection obligations were met; 2 further obligations were "
            "not assessed (fewer than 5 eligible episodes, deemed met)") in en


def test_the_payments_amounts_are_formatted_for_the_language(sections):
    fi, sv, en = sections["fi"], sections["sv"], sections["en"]
    assert "1 234 568 €" in fi and "1 234 568 €" in sv and "€1,234,568" in en
    assert "minst 50 %: PHQ-9 40,0 % (under kravet)" in sv
    assert "at least 50%: PHQ-9 40.0% (below the requirement), GAD-7 90.0%" in en
