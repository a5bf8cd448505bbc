"""The steering-meeting agenda: what is worth discussing, in order, with its figures."""

from __future__ import annotations

from arvo.messages import msg
from arvo.report.agenda import agendas, missing_months
from arvo.report.disclosure import _Suppressed
from arvo.report.labels import Names

NAMES = Names(providers={"A": "Alfa Oy", "B": "Beta ry", "C": "Gamma Oy"},
              packages={"DEP": ("Masennuksen hoitoketju", "Depression")}, segments={})
PERIOD = "2025-12"


def _group(members):
    return {"package_fi": "Masennuksen hoitoketju", "instrument_label": "PHQ-9",
            "decimals": 1, "target": 8.0, "members": members}


def _member(pid, key, level, pairs=40, adjusted=11.2):
    return {"provider_id": pid, "verdict": {"key": key, "level": level}, "pairs": pairs,
            "adjusted": adjusted}


def _history(pid, period, adjusted, se, pairs=40):
    return {"provider_id": pid, "package_code": "DEP", "instrument": "PHQ9",
            "measure": "phq9_total", "period": period, "adjusted": adjusted, "se": se,
            "pairs": pairs, "min_pairs": 30, "flag": "none", "higher_is_better": False,
            "decimals": 1, "instrument_label": "PHQ-9", "is_primary": True}


def fi(message) -> str:
    """An item's message as the Finnish report prints it."""
    return message.render("fi")


def _run(groups=(), compliance=(), history=(), dq=(), missing=None, agreed=()):
    return agendas(list(groups), list(compliance), list(history), list(dq), missing or {},
                   list(agreed), NAMES, PERIOD)


def test_items_come_most_important_first_with_figures_and_a_question():
    got = _run(
        groups=[_group([_member("A", "worse", "alert"), _member("B", "better", "alarm")]),
                _group([_member("A", "worse", "alarm", adjusted=12.4)])],
        compliance=[{"provider_id": "A", "status": "fail", "scope": "package",
                     "scope_code": "DEP", "scope_fi": "Masennuksen hoitoketju",
                     "instrument": "PHQ9", "timepoint_fi": tp, "rate": rate, "min_rate": 0.6}
                    for tp, rate in ((msg("Baseline"), 0.36), ("Seuranta 6 kk", 0.5))],
        dq=[{"provider_id": "A", "month": "2025-12", "status": "rejected", "rows_in": 10,
             "rows_quarantined": 10}])
    a = got["A"]
    assert [i["kind"] for i in a["points"]] == ["alarm", "obligation", "alert",
                                                "data_quality"]
    alarm = a["points"][0]
    assert fi(alarm["title"]) == ("Masennuksen hoitoketju: PHQ-9 selvästi odotettua heikompi "
                              "(yli 99,8 %:n rajan)")
    assert fi(alarm["figures"]) == ("vakioitu tulos 12,4, kaikkien palveluntuottajien keskiarvo "
                                "8,0; 40 kyselyparia")
    assert fi(alarm["question"]).endswith("?")
    assert alarm["title"].render("sv") == ("Masennuksen hoitoketju: PHQ-9 klart sämre än "
                                           "väntat (utanför 99,8 %-gränsen)")
    assert fi(a["points"][1]["title"]) == ("PROM-keruuvelvoitteet eivät täyty: Masennuksen "
                                           "hoitoketju")
    assert fi(a["points"][1]["figures"]) == ("PHQ9, lähtötaso: kerätty 36 %:sta erääntyneistä "
                                             "hoitojaksoista; vaatimus 60 %; PHQ9, seuranta 6 kk: "
                                             "kerätty 50 %:sta erääntyneistä hoitojaksoista; "
                                             "vaatimus 60 %")
    assert [i["kind"] for i in got["B"]["points"]] == ["better"]
    assert "C" not in got  # nothing to discuss, nothing agreed


def test_a_hidden_figure_stays_hidden_on_the_agenda():
    hidden_rate = _Suppressed("<5", "alle 5")
    got = _run(compliance=[{"provider_id": "C", "status": "fail", "scope": "package",
                            "scope_code": "X", "scope_fi": "X", "instrument": "PHQ9",
                            "timepoint_fi": "Lähtötaso", "rate": hidden_rate,
                            "min_rate": 0.6}])
    assert fi(got["C"]["points"][0]["figures"]) == ("PHQ9, lähtötaso: kerätty alle 5 "
                                                    "hoitojaksosta; vaatimus 60 %")


def test_a_fall_is_an_item_only_beyond_the_uncertainty_of_both_results():
    # PHQ-9: lower is better. A: 8.0 -> 9.5, se 0.5 each: 1.5 > 1.96 * 0.707 = 1.386
    # B: 8.0 -> 9.3: 1.3 < 1.386, within the uncertainty; C: too few pairs now
    history = [_history("A", "2025-06", 8.0, 0.5), _history("A", PERIOD, 9.5, 0.5),
               _history("B", "2025-06", 8.0, 0.5), _history("B", PERIOD, 9.3, 0.5),
               _history("C", "2025-06", 8.0, 0.5), _history("C", PERIOD, 12.0, 0.5, pairs=12)]
    got = _run(history=history)
    assert list(got) == ["A"]
    trend = got["A"]["points"][0]
    assert trend["kind"] == "trend"
    assert fi(trend["figures"]).startswith("vakioitu tulos 9,5 (40 paria), kesäkuu 2025: 8,0")


def test_a_fall_on_under_5_pairs_is_no_item_whatever_the_minimum():
    """The definitions allow a min_pairs under 5; the item would print the pairs."""
    history = [{**_history("A", p, a, 0.5, pairs=4), "min_pairs": 1}
               for p, a in (("2025-06", 8.0), (PERIOD, 9.5))]
    assert _run(history=history) == {}
    history = [{**h, "pairs": 5} for h in history]
    assert list(_run(history=history)) == ["A"]


def test_data_quality_counts_from_five_per_cent_quarantined_and_missing_months():
    dq = [{"provider_id": "A", "month": "2025-11", "status": "partial", "rows_in": 1000,
           "rows_quarantined": 49},
          {"provider_id": "B", "month": "2025-11", "status": "partial", "rows_in": 1000,
           "rows_quarantined": 50}]
    months = ["2025-09", "2025-10", "2025-11"]
    missing = missing_months(dq, ["A", "B", "C"], months)
    assert missing == {"A": ["2025-09", "2025-10"], "B": ["2025-09", "2025-10"]}
    got = _run(dq=dq, missing={"B": missing["B"]})
    assert "A" not in got
    assert fi(got["B"]["points"][0]["figures"]) == (
        "50/1 000 riviä karanteenissa (5,0 %); ei tiedostoja: syyskuu 2025, lokakuu 2025")


def test_open_agreed_actions_are_carried_late_ones_first():
    agreed = [{"provider_id": "C", "meeting": "2025-06", "topic": "T1", "action": "A1",
               "responsible": "", "due": None, "is_due": False},
              {"provider_id": "C", "meeting": "2025-06", "topic": "T2", "action": "A2",
               "responsible": "vastuulääkäri", "due": "2025-12", "is_due": True}]
    got = _run(agreed=agreed)
    carried = got["C"]["carried"]
    assert [c["topic"] for c in carried] == ["T2", "T1"]
    assert carried[0]["late"] and carried[0]["due"] == "2025-12"  # the template names it
    assert carried[1]["responsible"] == "" and got["C"]["points"] == []


def test_a_lost_uplift_and_a_missed_target_are_items_with_their_reasons():
    from decimal import Decimal

    paid = [{"provider_id": "A", "package_code": "DEP", "line": "uplift", "episodes": 40,
             "amount_eur": Decimal("0.00"), "conditions_met": False,
             "failed_conditions": "outcome"},
            {"provider_id": "A", "package_code": "DEP", "line": "withhold", "episodes": 40,
             "amount_eur": Decimal("-3960.00"), "conditions_met": False,
             "failed_conditions": "participation,obligations"},
            {"provider_id": "B", "package_code": "DEP", "line": "uplift", "episodes": 3,
             "amount_eur": Decimal("120.00"), "conditions_met": True,
             "failed_conditions": ""}]
    targets = [{"provider_id": "A", "scope_type": "provider", "status": "missed",
                "objective_name_fi": "PHQ-9-toipuminen", "measure": "recovery_rate",
                "value": 0.34, "successes": 17, "n": 50, "clients": 50, "target": 0.5,
                "ci_lower": 0.2, "ci_upper": 0.5},
               {"provider_id": None, "scope_type": "package", "status": "missed",
                "objective_name_fi": "PHQ-9-toipuminen", "measure": "recovery_rate",
                "value": 0.4, "successes": 40, "n": 100, "clients": 100, "target": 0.5,
                "ci_lower": 0.3, "ci_upper": 0.5}]
    got = agendas([], [], [], [], {}, [], NAMES, PERIOD, paid, targets)
    assert list(got) == ["A"]  # B's uplift was paid; the package-wide row is no provider's
    points = got["A"]["points"]
    assert [p["kind"] for p in points] == ["payment", "payment", "target"]
    assert fi(points[0]["title"]) == ("Masennuksen hoitoketju: tulosperusteista lisää ei "
                                  "makseta")
    assert fi(points[0]["figures"]) == ("ehto ei täyty: vakioitu tulos merkitsevästi "
                                    "keskiarvoa heikompi")
    assert fi(points[1]["figures"]).startswith("3 960 € pidätetty; ehto ei täyty: PROM-")
    assert fi(points[2]["title"]) == "Tavoite ei täyty: PHQ-9-toipuminen"
    assert fi(points[2]["figures"]) == "34 %, tavoite 50 %"
    # a missed status the targets grid hides (3 of 12, where 4 would be near) is no item:
    # the item would tell it
    hidden = {**targets[0], "provider_id": "C", "value": 0.25, "successes": 3, "n": 12,
              "clients": 12, "status_tells_small": True}
    assert "C" not in agendas([], [], [], [], {}, [], NAMES, PERIOD, [], [hidden])
