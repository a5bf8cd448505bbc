"""Obligations in the reports: peers' median, episodes to complete, what changed, the matrix
(arvo/report/compliance.py and its use in both reports).

A hand-made warehouse, typed by the marts' contracts (tests/report/marts.py), with
mart_prom_compliance, mart_prom_obligation_episodes and mart_provider_rows_to_fix for
two steering periods.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from arvo import report
from arvo.config import Settings
from arvo.quality import obligations
from arvo.report.disclosure import SINGLE_PEER
from tests.report import marts

PREV, PERIOD = "2025-06", "2025-12"
A, A_NAME = "2358253-3", "Pohjolan hyvinvointialue, perusterveydenhuolto"
B, B_NAME = "3247652-1", "Lääkärikeskus Kaiku Oy"
C, C_NAME = "1394810-8", "Mielenterveyspalvelut Tyyni Oy"
NAMES = {A: A_NAME, B: B_NAME, C: C_NAME}
D = dt.date


def _compliance(period, pid, pkg, inst, tp, n, x, min_rate, meets, peers, peer_median,
                order=0, open_windows=0, segment=None):
    rate = x / n
    return {
        "period": period, "provider_id": pid, "provider_name": NAMES[pid],
        "scope": "segment" if segment else "package", "scope_code": segment or pkg,
        "package_code": None if segment else pkg, "instrument": inst, "timepoint": tp,
        "eligible_episodes": n, "collected": x, "rate": rate, "min_rate": min_rate,
        "meets_obligation": meets, "sector": "public", "obligation_sector": "all",
        "measure": "participation" if tp == "baseline" else "paired", "severity": "error",
        "timepoint_order": order, "timepoint_collected": x, "open_windows": open_windows,
        "restarted_episodes": 0, "rate_ci_lower": max(0.0, rate - 0.2),
        "rate_ci_upper": min(1.0, rate + 0.2), "below_threshold": rate < min_rate,
        "peer_providers": peers, "peer_eligible_episodes": 40 if peers else 0,
        "peer_median_rate": peer_median}


COMPLIANCE = [
    # A, previous period: baseline fails (later resolved), follow-up fails (persists)
    _compliance(PREV, A, "DEPRESSION", "EQ5D5L", "baseline", 30, 12, 0.8, False, 2, 0.9),
    _compliance(PREV, A, "DEPRESSION", "EQ5D5L", "followup_6m", 30, 6, 0.6, False, 2, 0.7, 1),
    _compliance(PREV, A, "DEPRESSION", "PHQ9", "baseline", 30, 29, 0.8, True, 2, 0.9),
    # A, this period
    _compliance(PERIOD, A, "DEPRESSION", "EQ5D5L", "baseline", 30, 28, 0.8, True, 2, 0.935),
    _compliance(PERIOD, A, "DEPRESSION", "EQ5D5L", "followup_6m", 30, 9, 0.6, False, 2, 0.71,
                1, open_windows=3),
    _compliance(PERIOD, A, "DEPRESSION", "PHQ9", "baseline", 30, 10, 0.8, False, 1, 0.55),
    _compliance(PERIOD, A, "HEART_FAILURE", "EQ5D5L", "followup_30d", 10, 5, 0.6, True, 0,
                None, 1),
    # B and C, this period (peers)
    _compliance(PERIOD, B, "DEPRESSION", "EQ5D5L", "baseline", 3, 3, 0.8, True, 2, 0.93),
    _compliance(PERIOD, B, "DEPRESSION", "EQ5D5L", "followup_6m", 40, 30, 0.6, True, 2, 0.5,
                1),
    _compliance(PERIOD, C, "DEPRESSION", "EQ5D5L", "baseline", 40, 35, 0.8, True, 2, 0.93),
    _compliance(PERIOD, C, "DEPRESSION", "EQ5D5L", "followup_6m", 40, 28, 0.6, True, 2, 0.5,
                1),
]


def _episode(pid, eid, pkg, inst, tp, opens, closes, status, cycle=0, baseline=True,
             segment=None):
    return {"period": PERIOD, "provider_id": pid, "episode_id": eid, "cycle": cycle,
            "scope": "segment" if segment else "package", "scope_code": segment or pkg,
            "package_code": pkg, "instrument": inst, "timepoint": tp,
            "timepoint_order": 0 if tp == "baseline" else 1,
            "measure": "participation" if tp == "baseline" else "paired",
            "start_date": opens, "anchor_date": opens, "collection_opens": opens,
            "collection_closes": closes, "window_state": "open" if status == "collectable"
            else "closed", "is_eligible": status != "collectable",
            "is_collected": status in ("met", "unpaired"), "baseline_collected": baseline,
            "is_met": status == "met", "status": status}


EPISODES = [
    _episode(A, "JAK-LATE", "DEPRESSION", "EQ5D5L", "followup_6m", D(2025, 12, 1),
             D(2026, 1, 30), "collectable"),
    _episode(A, "JAK-SOON", "DEPRESSION", "EQ5D5L", "followup_6m", D(2025, 11, 20),
             D(2026, 1, 10), "collectable", baseline=False),
    _episode(A, "JAK-GONE", "DEPRESSION", "PHQ9", "baseline", D(2025, 3, 1), D(2025, 3, 29),
             "missed"),
    _episode(A, "JAK-HALF", "DEPRESSION", "EQ5D5L", "followup_6m", D(2025, 5, 1),
             D(2025, 6, 30), "unpaired", baseline=False),
    _episode(A, "JAK-HF", "HEART_FAILURE", "EQ5D5L", "followup_30d", D(2025, 9, 1),
             D(2025, 9, 21), "missed", cycle=1),
    _episode(A, "JAK-DONE", "DEPRESSION", "EQ5D5L", "baseline", D(2025, 2, 1), D(2025, 3, 1),
             "met"),
    _episode(B, "B-SECRET-EP", "DEPRESSION", "EQ5D5L", "followup_6m", D(2025, 11, 1),
             D(2026, 1, 1), "collectable"),
]

QUARANTINE_PREV = [  # month, record, row, rule, column
    ("2025-05", "EV-FIXED", 7, "hetu_valid", "hetu"),
    ("2025-05", "EV-STAYS", 9, "cost_in_range", "cost_eur"),
]
QUARANTINE_NOW = [
    ("2025-05", "EV-STAYS", 9, "cost_in_range", "cost_eur"),
    ("2025-10", "EV-NEW", 3, "service_code_known", "service_code"),
]


def _rows_to_fix(period: str, rows) -> list[dict]:
    return [{"period": period, "provider_id": A, "provider_name": A_NAME, "month": r[0],
             "entity": "events", "source_file": "events.csv", "source_row": r[2],
             "record_id": r[1], "rule": r[3], "column_name": r[4], "reason": "fix me"}
            for r in rows]


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return _warehouse(tmp_path, COMPLIANCE, EPISODES)


def _warehouse(tmp_path: Path, compliance: list[dict], episodes: list[dict]) -> Settings:
    # the previous period was built with the quarantine as it was then; since then
    # EV-FIXED was re-sent correctly and EV-NEW quarantined
    return marts.warehouse(marts.settings(tmp_path), {
        "mart_prom_compliance": compliance, "mart_prom_obligation_episodes": episodes,
        "mart_provider_rows_to_fix": (_rows_to_fix(PREV, QUARANTINE_PREV)
                                      + _rows_to_fix(PERIOD, QUARANTINE_NOW))})


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_obligations_show_peers_median_and_noise(settings: Settings):
    ctx = report.feedback_context(settings, PERIOD, A)
    ob = {(o["package_code"], o["instrument_code"], o["timepoint"]): o
          for o in ctx["obligations"]}
    assert ob[("DEPRESSION", "EQ5D5L", "baseline")]["peer_median"] == 0.935
    # one peer only: its rate would be that provider's own figure
    assert ob[("DEPRESSION", "PHQ9", "baseline")]["peer_median"] is SINGLE_PEER
    assert ob[("HEART_FAILURE", "EQ5D5L", "followup_30d")]["peer_median"] is None
    hf = ob[("HEART_FAILURE", "EQ5D5L", "followup_30d")]
    assert hf["within_noise"] and hf["status"] == "pass"
    assert hf["timepoint_fi"].render("fi") == "30 vrk seuranta"
    html = _text(report.render_provider_feedback(settings, PERIOD, A).html_path)
    assert "Vertailuryhmän mediaani" in html and "94 %" in html
    assert "satunnaisvaihtelun rajoissa" in html
    assert "30 vrk seuranta" in html and "parillinen seuranta" in html


def test_episodes_to_complete_lists_own_episodes_with_dates(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, A)
    assert fb.episodes_to_complete == 5
    assert fb.episodes_csv_path == fb.html_path.parent / "episodes_to_complete.csv"
    raw = fb.episodes_csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(report.EPISODE_CSV_COLUMNS)
    got = [(r["episode_id"], r["status"], r["collect_by"]) for r in rows]
    # still collectable first, soonest deadline first; then missed and unpaired
    assert got[:2] == [("JAK-SOON", "collectable", "2026-01-10"),
                       ("JAK-LATE", "collectable", "2026-01-30")]
    assert {g[:2] for g in got[2:]} == {("JAK-GONE", "missed"), ("JAK-HF", "missed"),
                                        ("JAK-HALF", "unpaired")}
    notes = {r["episode_id"]: r["note"] for r in rows}
    assert "lähtötaso" in notes["JAK-SOON"] and "lähtötaso puuttuu" in notes["JAK-HALF"]
    assert "akuutin" in notes["JAK-HF"]
    assert "JAK-DONE" not in notes  # collected: nothing to do
    html = _text(fb.html_path)
    assert "Kerättävissä" in html and "10.1.2026" in html and "JAK-GONE" in html
    # another provider's episodes never appear
    assert "B-SECRET-EP" not in html and "B-SECRET-EP" not in raw.decode("utf-8-sig")
    other = report.render_provider_feedback(settings, PERIOD, B)
    assert "JAK-" not in _text(other.html_path)
    assert "JAK-" not in other.episodes_csv_path.read_text(encoding="utf-8-sig")


def test_what_changed_since_the_previous_period(settings: Settings):
    ctx = report.feedback_context(settings, PERIOD, A)
    ch = ctx["changes"]
    assert ch["previous"] == PREV

    def keys(items):
        return {(o["package_code"], o["instrument_code"], o["timepoint"]) for o in items}

    assert keys(ch["obligations"]["new"]) == {("DEPRESSION", "PHQ9", "baseline")}
    assert keys(ch["obligations"]["resolved"]) == {("DEPRESSION", "EQ5D5L", "baseline")}
    assert keys(ch["obligations"]["persisting"]) == {("DEPRESSION", "EQ5D5L", "followup_6m")}
    assert ch["obligations"]["persisting"][0]["previous_rate"] == 0.2
    assert ch["rows"] == {"new": 1, "resolved": 1, "persisting": 1}
    rules = {r["rule"]: r for r in ch["rules"]}
    assert rules["hetu_valid"]["resolved"] == 1 and rules["service_code_known"]["new"] == 1
    assert rules["cost_in_range"]["persisting"] == 1
    html = _text(report.render_provider_feedback(settings, PERIOD, A).html_path)
    section = html.split("Muutokset edelliseen kauteen")[1].split("PROM-keruuvelvoitteet")[0]
    assert "Verrattuna kauteen 2025-06" in section
    assert "uusi" in section and "korjattu" in section and "jatkuu" in section
    # rules in words, not their codes
    assert "tuntematon palvelukoodi" in section and "henkilötunnus virheellinen" in section
    assert "service_code_known" not in section and "hetu_valid" not in section


def test_first_period_has_nothing_to_compare(settings: Settings):
    ctx = report.feedback_context(settings, PREV, A)
    assert ctx["changes"] == {"previous": None}
    html = _text(report.render_provider_feedback(settings, PREV, A).html_path)
    assert "ensimmäinen kausi" in html


def test_steering_report_has_the_compliance_matrix(settings: Settings):
    obligations.write_results(settings.warehouse, PERIOD, pd.DataFrame([
        {"period": PERIOD, "provider_id": A, "rule": "DEPRESSION/all/PHQ9/baseline",
         "eligible_episodes": 30, "status": "failed", "message": "too few"},
        {"period": PERIOD, "provider_id": B, "rule": "DEPRESSION/all/EQ5D5L/baseline",
         "eligible_episodes": 3, "status": "passed", "message": ""},
        {"period": PERIOD, "provider_id": C, "rule": "DEPRESSION/all/EQ5D5L/baseline",
         "eligible_episodes": 40, "status": "passed", "message": ""},
        {"period": PERIOD, "provider_id": C, "rule": "DEPRESSION/all/EQ5D5L/followup_12m",
         "eligible_episodes": 0, "status": "not_applicable", "message": ""},
    ]))
    ctx = report.steering_context(settings, PERIOD)
    assert ctx["checks"]["failed"] == 1 and ctx["checks"]["passed"] == 1
    assert ctx["checks"]["not_applicable"] == 1 and ctx["checks"]["small"] == 1
    matrix = {g["package_code"]: g for g in ctx["compliance_matrix"]}
    dep = matrix["DEPRESSION"]
    assert [(c["instrument"], c["timepoint"]) for c in dep["columns"]] == [
        ("EQ-5D-5L", "baseline"), ("PHQ-9", "baseline"), ("EQ-5D-5L", "followup_6m")]
    rows = {r["provider_id"]: r for r in dep["rows"]}
    assert set(rows) == {A, B, C}
    a_cells = rows[A]["cells"]
    assert a_cells[1]["status"] == "fail" and rows[A]["failing"] == 2
    assert rows[B]["cells"][0]["status"] == "small"  # 3 episodes: suppressed
    assert rows[B]["cells"][1] is None  # B has no PHQ-9 obligation rows
    html = _text(report.render_steering_report(settings, PERIOD))
    section = html.split("PROM-keruuvelvoitteiden täyttyminen")[1].split("Tietojen laatu")[0]
    assert "Masennuksen hoitoketju" in section and "Sydämen vajaatoiminnan hoito" in section
    assert "ei täyty" in section and "&lt;5" in section
    assert "33 %" in section  # A's PHQ-9 baseline, 10 of 30
    assert "Velvoitteiden automaattiset tarkistukset" in section
    # no record-level data in the commissioner's report
    for e in EPISODES:
        assert e["episode_id"] not in html


# --------------------------------------------------------------------------- segment obligations

SEGMENT = "HNHC"  # definitions/segments.yml: "Paljon palveluja tarvitsevat"
SEGMENT_COMPLIANCE = [
    # A fails the HNHC baseline in both periods (persisting), with the same instrument and
    # timepoint as its DEPRESSION baseline, which failed before and passes now (resolved)
    _compliance(PREV, A, None, "EQ5D5L", "baseline", 20, 6, 0.8, False, 2, 0.88,
                segment=SEGMENT),
    _compliance(PERIOD, A, None, "EQ5D5L", "baseline", 20, 9, 0.8, False, 2, 0.87,
                segment=SEGMENT),
    _compliance(PERIOD, A, None, "EQ5D5L", "followup_6m", 20, 14, 0.6, True, 2, 0.65, 1,
                segment=SEGMENT),
    _compliance(PERIOD, B, None, "EQ5D5L", "baseline", 25, 22, 0.8, True, 2, 0.6,
                segment=SEGMENT),
    _compliance(PERIOD, C, None, "EQ5D5L", "baseline", 30, 26, 0.8, True, 2, 0.6,
                segment=SEGMENT),
]
SEGMENT_EPISODES = [
    # A's depression episode JAK-DONE met its package baseline; the HNHC obligation has its
    # own, wider window, and its follow-up is still collectable
    _episode(A, "JAK-DONE", "DEPRESSION", "EQ5D5L", "followup_6m", D(2025, 12, 5),
             D(2026, 2, 3), "collectable", segment=SEGMENT),
    # a home care episode, of a package A has no obligation of: bound by the segment only
    _episode(A, "JAK-KOTI", "HOME_CARE", "EQ5D5L", "baseline", D(2025, 4, 1),
             D(2025, 6, 12), "missed", segment=SEGMENT),
]


@pytest.fixture()
def segment_settings(tmp_path: Path) -> Settings:
    return _warehouse(tmp_path, COMPLIANCE + SEGMENT_COMPLIANCE, EPISODES + SEGMENT_EPISODES)


def test_feedback_shows_segment_obligations_by_the_segments_name(segment_settings):
    ctx = report.feedback_context(segment_settings, PERIOD, A)
    ob = {(o["scope"], o["scope_code"], o["instrument_code"], o["timepoint"]): o
          for o in ctx["obligations"]}
    seg = ob[("segment", SEGMENT, "EQ5D5L", "baseline")]
    assert (seg["scope_fi"], seg["scope_kind_fi"].render("fi"), seg["package_code"]) == (
        "Paljon palveluja tarvitsevat", "asiakassegmentti", None)
    assert seg["status"] == "fail" and seg["rate"] == 0.45 and seg["min_rate"] == 0.8
    assert seg["distance"] == pytest.approx(-0.35) and seg["needed"] == 7
    assert seg["peer_median"] == 0.87
    # the package obligation of the same instrument and timepoint is a row of its own
    dep = ob[("package", "DEPRESSION", "EQ5D5L", "baseline")]
    assert dep["status"] == "pass" and dep["scope_fi"] == "Masennuksen hoitoketju"
    # package obligations first, then segment obligations
    scopes = [o["scope"] for o in ctx["obligations"]]
    assert scopes == sorted(scopes, key=lambda x: x != "package")
    assert [o["scope_code"] for o in ctx["failing"]].count(SEGMENT) == 1
    html = _text(report.render_provider_feedback(segment_settings, PERIOD, A).html_path)
    alert = html.split("Velvoite ei täyty")[1].split("</ul>")[0]
    assert "Paljon palveluja tarvitsevat" in alert and "asiakassegmentti" in alert
    assert "45 %" in alert and "87 %" in alert  # rate and the peers' median
    table = html.split("<h2>PROM-keruuvelvoitteet")[1].split("</table>")[0]
    assert "Paljon palveluja tarvitsevat" in table and "kaikki hoitojaksot" in table


def test_segment_episodes_to_complete(segment_settings):
    fb = report.render_provider_feedback(segment_settings, PERIOD, A)
    assert fb.episodes_to_complete == 7
    raw = fb.episodes_csv_path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw), delimiter=";"))
    assert list(rows[0]) == list(report.EPISODE_CSV_COLUMNS)
    by = {(r["episode_id"], r["obligation_scope"], r["timepoint"]): r for r in rows}
    done = by[("JAK-DONE", "segment", "followup_6m")]
    assert (done["package_code"], done["obligation_code"], done["status"],
            done["collect_by"]) == ("DEPRESSION", SEGMENT, "collectable", "2026-02-03")
    assert "asiakassegmentin velvoite (Paljon palveluja tarvitsevat)" in done["note"]
    home = by[("JAK-KOTI", "segment", "baseline")]
    assert (home["package_code"], home["status"]) == ("HOME_CARE", "missed")
    assert by[("JAK-GONE", "package", "baseline")]["obligation_code"] == "DEPRESSION"
    assert ("JAK-DONE", "package", "baseline") not in by  # the package baseline was met
    html = _text(fb.html_path)
    assert "JAK-KOTI" in html and "asiakassegmentin velvoite" in html


def test_segment_changes_are_keyed_by_scope(segment_settings):
    ctx = report.feedback_context(segment_settings, PERIOD, A)
    ch = ctx["changes"]

    def keys(items):
        return {(o["scope_code"], o["instrument_code"], o["timepoint"]) for o in items}

    assert keys(ch["obligations"]["persisting"]) == {
        ("DEPRESSION", "EQ5D5L", "followup_6m"), (SEGMENT, "EQ5D5L", "baseline")}
    persisting = {o["scope_code"]: o for o in ch["obligations"]["persisting"]}
    assert persisting[SEGMENT]["previous_rate"] == 0.3  # the segment's own, not DEPRESSION's
    assert keys(ch["obligations"]["resolved"]) == {("DEPRESSION", "EQ5D5L", "baseline")}
    assert keys(ch["obligations"]["new"]) == {("DEPRESSION", "PHQ9", "baseline")}
    html = _text(report.render_provider_feedback(segment_settings, PERIOD, A).html_path)
    section = html.split("Muutokset edelliseen kauteen")[1].split("PROM-keruuvelvoitteet")[0]
    assert "PROM-velvoite: Paljon palveluja tarvitsevat" in section


def test_steering_report_has_a_table_per_segment_obligation(segment_settings):
    ctx = report.steering_context(segment_settings, PERIOD)
    matrix = ctx["compliance_matrix"]
    assert [(g["scope"], g["scope_code"]) for g in matrix] == [
        ("package", "DEPRESSION"), ("package", "HEART_FAILURE"), ("segment", SEGMENT)]
    seg = matrix[-1]
    assert (seg["scope_fi"], seg["scope_en"]) == (
        "Paljon palveluja tarvitsevat", "High-need, high-cost across social and health care")
    assert [(c["instrument"], c["timepoint"]) for c in seg["columns"]] == [
        ("EQ-5D-5L", "baseline"), ("EQ-5D-5L", "followup_6m")]
    rows = {r["provider_id"]: r for r in seg["rows"]}
    assert rows[A]["failing"] == 1 and rows[A]["cells"][0]["status"] == "fail"
    assert rows[B]["cells"][1] is None
    assert ctx["headline"]["failing"] == 3  # DEPRESSION: 2, HNHC: 1
    html = _text(report.render_steering_report(segment_settings, PERIOD))
    section = html.split("PROM-keruuvelvoitteiden täyttyminen")[1].split("Tietojen laatu")[0]
    assert "Asiakassegmentti: Paljon palveluja tarvitsevat" in section
    assert "45 %" in section  # A's HNHC baseline, 9 of 20
    for e in SEGMENT_EPISODES:
        assert e["episode_id"] not in html


def test_obligations_that_share_package_instrument_and_timepoint_come_in_one_order(tmp_path):
    """Two segments' obligations of one instrument and timepoint tie on package_code (null),
    instrument and timepoint: the reports order them by the scope too, whatever order the
    warehouse holds them in (the demo's feedback once listed two such rows either way)."""
    later = [_compliance(p, A, None, "EQ5D5L", "baseline", 20, 6, 0.8, False, 2, 0.8,
                         segment="OLDER_SOCIAL") for p in (PREV, PERIOD)]
    settings = _warehouse(tmp_path, COMPLIANCE + later + SEGMENT_COMPLIANCE, EPISODES)
    ctx = report.feedback_context(settings, PERIOD, A)
    codes = [o["scope_code"] for o in ctx["obligations"] if o["scope"] == "segment"]
    assert codes == [SEGMENT, SEGMENT, "OLDER_SOCIAL"]  # HNHC's baseline and follow-up
    persisting = [o["scope_code"] for o in ctx["changes"]["obligations"]["persisting"]
                  if o["scope"] == "segment"]
    assert persisting == [SEGMENT, "OLDER_SOCIAL"]
    matrix = report.steering_context(settings, PERIOD)["compliance_matrix"]
    assert [g["scope_code"] for g in matrix if g["scope"] == "segment"] == [
        SEGMENT, "OLDER_SOCIAL"]


def test_a_small_numerator_is_hidden_from_the_commissioner_but_not_from_the_provider():
    """"2 / 8" rests on 2 clients: the commissioner sees "<5 / 8" and no rate (which would
    give the 2 back); the provider sees its own figures."""
    from arvo.report.compliance import compliance_view
    from arvo.report.disclosure import SUPPRESSED
    from arvo.report.labels import Names

    row = _compliance(PERIOD, A, "DEPRESSION", "EQ5D5L", "baseline", 8, 2, 0.8, False, 0, None)
    names = Names({}, {}, {}, {})
    commissioner = compliance_view([row], names, suppress_small=True)[0]
    assert commissioner["eligible"] == 8
    assert commissioner["collected"] is SUPPRESSED and commissioner["rate"] is SUPPRESSED
    assert commissioner["needed"] is None and commissioner["distance"] is None
    assert commissioner["status"] == "fail"  # the verdict stays; the small count does not
    own = compliance_view([row], names, suppress_small=False)[0]
    assert own["collected"] == 2 and own["rate"] == 0.25 and own["needed"] == 5


def test_a_verdict_that_would_tell_a_hidden_numerator_is_not_shown():
    """"<5 / 6, min. 60 %, met" gives 4 (only 4 of 6 reaches 60 %; the mart says so:
    verdict_tells_small): the commissioner sees neither the counts nor the verdict. Where
    every numerator of 1 to 4 gets the same verdict, it stays, without the "*" that would
    tell the rate is below the minimum."""
    from arvo.report.compliance import compliance_view
    from arvo.report.disclosure import SUPPRESSED
    from arvo.report.labels import Names

    names = Names({}, {}, {}, {})
    met = {**_compliance(PERIOD, A, "DEPRESSION", "EQ5D5L", "baseline", 6, 4, 0.6, True, 0,
                         None), "verdict_tells_small": True}
    shown = compliance_view([met], names, suppress_small=True)[0]
    assert shown["status"] == "small" and shown["collected"] is SUPPRESSED
    assert not shown["within_noise"]
    assert compliance_view([met], names, suppress_small=False)[0]["status"] == "pass"
    # 1 to 4 of 5 all meet 50 % by the Wilson bound; 2 of 5 is below it: "*" for the
    # provider only
    noisy = {**_compliance(PERIOD, A, "DEPRESSION", "EQ5D5L", "baseline", 5, 2, 0.5, True, 0,
                           None), "verdict_tells_small": False}
    shown = compliance_view([noisy], names, suppress_small=True)[0]
    assert shown["status"] == "pass" and not shown["within_noise"]
    assert compliance_view([noisy], names, suppress_small=False)[0]["within_noise"]
