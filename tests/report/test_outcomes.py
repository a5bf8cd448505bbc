"""Providers' adjusted outcomes and funnel verdicts (arvo/report/outcomes.py), from the
hand-made mart_provider_funnel and mart_case_mix_models of tests/report/handmade.py."""

from __future__ import annotations

import arvo.report.outcomes as outcomes
from arvo.messages import localized
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED
from arvo.report.labels import Names, factors
from arvo.report.outcomes import (
    attention,
    funnel_groups,
    model_notes,
    noteworthy,
    trends,
    verdict,
)
from tests.report.handmade import (
    A_NAME,
    B_NAME,
    C_NAME,
    D_NAME,
    EARLIER,
    FUNNEL,
    MODEL,
    PERIOD,
    A,
    B,
    C,
    D,
    funnel_row,
)


def fi(value):
    """A view's message (or a list of them) as the Finnish report prints it."""
    return [fi(v) for v in value] if isinstance(value, list) else localized(value, "fi")


NAMES = Names({}, {"DEPRESSION": ("Masennuksen hoitopolku", "Depression")}, {})
ROWS = [funnel_row(*r) for r in FUNNEL]


def test_verdicts_in_words_with_their_marker():
    alarm = verdict("alarm", "worse")
    assert {**alarm, "text": fi(alarm["text"])} == {
        "key": "worse", "level": "alarm", "marker": "diamond",
        "text": "odotettua heikompi (hälytys)"}
    assert fi(verdict("alert", "better")["text"]) == "odotettua parempi (varoitus)"
    assert verdict("alert", "better")["text"].render("sv") == "bättre än förväntat (varning)"
    assert verdict("none", "as_expected")["marker"] == "circle"
    assert verdict("too_few_pairs", None)["key"] == "too_few_pairs"
    assert verdict(None, None)["marker"] == "hollow"


def test_commissioner_funnel_names_every_provider_and_suppresses_small_cells():
    (g,) = funnel_groups(ROWS, NAMES)
    assert g["package_fi"] == "Masennuksen hoitopolku" and g["instrument_label"] == "PHQ-9"
    members = {m["provider_id"]: m for m in g["members"]}
    assert fi(members[A]["verdict"]["text"]) == "odotettua parempi (varoitus)"
    assert members[A]["changed"] and members[A]["unadjusted"]["key"] == "as_expected"
    assert members[C]["verdict"]["level"] == "alarm" and not members[C]["changed"]
    assert members[B]["verdict"]["key"] == "too_few_pairs"
    assert members[B]["pairs"] is SUPPRESSED and members[B]["adjusted"] is SUPPRESSED
    labels = {fi(p["label"]): p["marker"] for p in g["chart"]["points"]}
    assert labels == {f"{A_NAME} (varoitus)": "square", f"{C_NAME} (hälytys)": "diamond",
                      D_NAME: "circle"}  # B (3 pairs) is not plotted
    desc = fi(g["chart"]["desc"])
    assert f"Odotettua heikompi: {C_NAME} (hälytys)." in desc and "tavoite 11,0" in desc


def test_provider_sees_itself_and_anonymous_others():
    (g,) = funnel_groups(ROWS, NAMES, own=A)
    assert [m["provider_id"] for m in g["members"]] == [A]
    points = g["chart"]["points"]
    assert [p["marker"] for p in points].count("own") == 1
    own = next(p for p in points if p["marker"] == "own")
    assert fi(own["label"]) == "Te: odotettua parempi (varoitus)"
    others = [p for p in points if p["marker"] != "own"]
    assert len(others) == 2 and all(p["label"] is None for p in others)  # C and D; B small
    text = repr(g)
    for pid, name in ((B, B_NAME), (C, C_NAME), (D, D_NAME)):
        assert pid not in text and name not in text
    # with fewer than two other providers to show, no other provider is plotted
    (g,) = funnel_groups([r for r in ROWS if r["provider_id"] in (A, B, C)], NAMES, own=A)
    assert [p["marker"] for p in g["chart"]["points"]] == ["own"]
    assert funnel_groups(ROWS, NAMES, own="9999999-9") == []


def test_attention_lists_alarms_then_failed_obligations_then_alerts():
    (g,) = funnel_groups(ROWS, NAMES)
    failed = {"provider_id": A, "provider_name": A_NAME, "status": "fail",
              "scope_fi": "Masennuksen hoitopolku", "instrument": "PHQ-9",
              "timepoint_fi": "6 kk seuranta", "rate": 0.4, "min_rate": 0.6}
    worse_alert = {**ROWS[3], "provider_id": "7", "provider_name": "Seitsemäs",
                   "flag": "alert", "direction": "worse"}
    (g2,) = funnel_groups([*ROWS, worse_alert], NAMES)
    found = attention([failed], [g2])
    assert [p["provider_name"] for p in found] == [C_NAME, A_NAME, "Seitsemäs"]
    assert fi(found[0]["reasons"]) == [
        "Masennuksen hoitopolku: PHQ-9-tulos odotettua heikompi (hälytys), 40 paria"]
    assert fi(found[1]["reasons"]) == [
        "Masennuksen hoitopolku: PHQ-9, 6 kk seuranta – PROM-keruuvelvoite ei täyty "
        "(40 % hoitojaksoista, vaatimus 60 %)"]
    # better than expected is not a reason for attention, but is worth sharing
    assert A_NAME not in str(attention([], [g]))
    assert [{**n, "reason": fi(n["reason"])} for n in noteworthy([g])] == [
        {"provider_name": A_NAME, "reason":
                                "Masennuksen hoitopolku: PHQ-9-tulos odotettua parempi "
                                "(varoitus)"}]


def test_method_note_in_words():
    groups = funnel_groups(ROWS, NAMES)
    (note,) = model_notes([MODEL], groups, NAMES)
    assert note["left_out"] == 7 and note["r_squared"] == 0.41 and note["min_pairs"] == 30
    assert fi(note["factors_used"]) == "ikäryhmä, sukupuoli"
    assert fi(note["factors_dropped"]) == [
        "sama arvo kaikilla pareilla: sosiaalipalvelujen käyttö",
        "liian vähän pareja suhteessa mallin muuttujiin: toimintarajoite"]
    assert fi(factors(["age_band", "comorbidity_diabetes", "comorbidity_cancer"])) == (
        "ikäryhmä, liitännäissairaudet (diabetes, syöpä)")
    assert factors(["age_band", "comorbidity_cancer"]).render("sv") == (
        "åldersgrupp, samsjuklighet (cancer)")
    assert "ei korjausta" in fi(note["correction"])
    # B's 3 pairs could be differenced from the model's pairs: those are hidden
    assert note["pairs"] is COMPLEMENTARY
    (note,) = model_notes([MODEL], funnel_groups([r for r in ROWS if r["provider_id"] != B],
                                                 NAMES), NAMES)
    assert note["pairs"] == 143
    # 3 follow-ups without a baseline: hidden, and the follow-ups that would give them
    (note,) = model_notes([{**MODEL, "left_out_no_baseline": 3}], groups, NAMES)
    assert note["left_out"] is SUPPRESSED and note["followups"] is COMPLEMENTARY


def test_trends_over_the_earlier_periods():
    earlier = [funnel_row(A, A_NAME, 35, 10.0, 10.6, "none", "as_expected", "none",
                          "as_expected", period=EARLIER)]
    (t,) = trends([*earlier, *ROWS], NAMES)
    assert t["periods"] == [EARLIER, PERIOD]
    rows = {p["provider_name"]: p["cells"] for p in t["providers"]}
    assert fi(rows[A_NAME][EARLIER]["verdict"]) == "odotettu"
    assert fi(rows[A_NAME][PERIOD]["verdict"]) == "parempi, varoitus"
    assert rows[B_NAME][PERIOD]["adjusted"] is SUPPRESSED
    (mine,) = trends([*earlier, *ROWS], NAMES, own=A)
    assert [p["provider_name"] for p in mine["providers"]] == [A_NAME]
    assert trends(ROWS, NAMES) == []  # one period is no trend


def test_the_two_standard_error_flag_is_gone():
    assert not hasattr(outcomes, "flag") and not hasattr(outcomes, "FLAG_Z")
    assert not hasattr(outcomes, "outcome_groups")


def test_attention_does_not_show_a_rate_hidden_for_a_small_numerator():
    from arvo.report.disclosure import SUPPRESSED

    failed = {"provider_id": A, "provider_name": A_NAME, "status": "fail",
              "scope_fi": "Masennuksen hoitopolku", "instrument": "PHQ-9",
              "timepoint_fi": "6 kk seuranta", "rate": SUPPRESSED, "min_rate": 0.6}
    (found,) = attention([failed], [])
    assert fi(found["reasons"]) == [
        "Masennuksen hoitopolku: PHQ-9, 6 kk seuranta – PROM-keruuvelvoite ei täyty "
        "(alle 5 hoitojaksosta, vaatimus 60 %)"]


def test_with_one_other_provider_the_own_view_shows_no_target_or_adjusted_outcome():
    """The target is the mean of all pairs: beside the provider's own figures it would
    give its only competitor's result away. The verdict in words stays."""
    two = [r for r in ROWS if r["provider_id"] in (A, C)]
    (g,) = funnel_groups(two, NAMES, own=A)
    assert g["single_peer"] and g["target"] is None and g["chart"] is None
    (mine,) = g["members"]
    assert mine["adjusted"] is None and mine["lower95"] is None and mine["upper95"] is None
    assert mine["adjusted_gain"] is None and mine["verdict"]["text"]
    earlier = [{**r, "period": EARLIER} for r in two]
    (t,) = trends([*earlier, *two], NAMES, own=A)
    assert all(c["adjusted"] is None for p in t["providers"] for c in p["cells"].values())
    (g,) = funnel_groups(two, NAMES)  # the commissioner sees both
    assert not g["single_peer"] and g["target"] is not None
