"""End to end: the Prefect flows on a small synthetic region find the planted truth.

One region (3,000 residents, 24 months) is generated and the loop is run over two
steering periods through the real flows (`loop_region` in tests/conftest.py, shared with
tests/test_loop.py), against one temporary Prefect server for the session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from markupsafe import escape

from arvo.contract import ENTITIES
from arvo.ingest.read import read_file
from flows.steering import SteeringParams
from flows.steering import steering as steering_flow
from tests.conftest import LOOP_KEY, obligation_results
from tests.conftest import LOOP_PERIODS as PERIODS

HETU_LIKE = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")


@pytest.fixture(scope="module")
def region(loop_region):
    """The small region's home and the steering results of its cycle (tests/conftest.py)."""
    home, result = loop_region
    return home, result.steering


def _truth(home: Path) -> dict:
    return json.loads((home / "demo" / "planted_truth.json").read_text())


def _finding(home: Path, kind: str) -> dict:
    return next(f for f in _truth(home)["findings"] if f["kind"] == kind)


def _sql(home: Path, query: str, *params) -> pd.DataFrame:
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        return con.execute(query, list(params)).df()


def test_cycle_writes_every_report(region):
    home, results = region
    assert [r.period for r in results] == PERIODS
    assert len(_truth(home)["providers"]) == 23
    for r in results:
        names = {p.name for p in r.reports}
        assert {"steering_report.html", "feedback.html", "rows_to_fix.csv", "index.html",
                "episodes_to_complete.csv"} <= names
        assert all(p.is_file() for p in r.reports)
        feedbacks = [p for p in r.reports if p.name == "feedback.html"]
        assert len(feedbacks) == len(_truth(home)["providers"])


def test_every_submitted_row_is_accepted_or_quarantined(region):
    home, results = region
    files = [f for r in results for f in r.files]
    assert len(files) == _truth(home)["files"]  # each file ingested once over the cycle
    for f in files:
        assert f["rows_in"] == f["rows_accepted"] + f["rows_quarantined"], f
    lake = sum(len(pd.read_parquet(home / "lake" / e)) for e in ("events", "episodes", "proms"))
    quarantine = sum(len(pd.read_parquet(home / "quarantine" / e))
                     for e in ("events", "episodes", "proms")
                     if (home / "quarantine" / e).exists())
    assert lake == sum(f["rows_accepted"] for f in files)
    assert quarantine == sum(f["rows_quarantined"] for f in files)


def test_planted_defects_are_quarantined_with_their_rule(region):
    home, _ = region
    found = pd.concat([pd.read_parquet(home / "quarantine" / e).assign(entity=e)
                       for e in ("events", "proms") if (home / "quarantine" / e).exists()])
    for d in _truth(home)["defects"]:
        rows = found[(found.provider_id == d["provider_id"]) & (found.month == d["month"])
                     & (found.entity == d["entity"]) & (found.record_id == d["record_id"])]
        assert len(rows) >= 1, d
        # the generator names the column at fault; the rule is the pipeline's own
        assert d["column"] in set(rows.column_name), (d, rows.column_name.tolist())


def test_feedback_tells_the_provider_what_is_wrong_in_finnish(region):
    """The rows to fix, and what became of each file, in the feedback's language: the
    ingest's English text (kept in the lake for the data engineer) is never shown."""
    home, _ = region
    defect = _truth(home)["defects"][0]
    out = home / "reports" / PERIODS[-1] / "providers" / defect["provider_id"]
    fix = pd.read_csv(out / "rows_to_fix.csv", sep=";", dtype=str, encoding="utf-8-sig")
    english = pd.concat([pd.read_parquet(home / "quarantine" / e)
                         for e in ("events", "proms") if (home / "quarantine" / e).exists()])
    assert len(fix) and fix.reason.str.contains(r" rivi \d+: ").all(), fix.reason.head()
    assert not fix.reason.str.contains(r" row \d+: | is not | is empty").any()
    html = (out / "feedback.html").read_text()
    shown = [r for r in fix.reason if escape(r) in html]
    assert shown and not any(escape(r) in html for r in english.reason)
    assert "rows quarantined" not in html and "riviä siirrettiin karanteeniin" in html


def test_under_collecting_provider_is_flagged_in_its_own_feedback(region):
    home, _ = region
    tyyni = _finding(home, "prom_under_collection")["provider_id"]
    rows = _sql(home, "select * from mart_prom_compliance where period = ? and provider_id = ?",
                PERIODS[-1], tyyni)
    # every obligation with enough episodes to judge (the rest may pass by chance: the pass
    # rule fails a rate only when its shortfall is beyond sampling noise)
    judged = rows[rows.eligible_episodes >= 5]
    assert len(rows) >= 2 and len(judged) >= 2 and not judged.meets_obligation.any()
    html = (home / "reports" / PERIODS[-1] / "providers" / tyyni / "feedback.html").read_text()
    assert "Velvoite ei täyty" in html
    others = _sql(home, "select provider_id, sum(eligible_episodes) n, avg(rate) r "
                  "from mart_prom_compliance where period = ? group by 1", PERIODS[-1])
    assert others.set_index("provider_id").r.idxmin() == tyyni


def test_the_agenda_carries_the_open_action_and_puts_the_failed_obligation_on_it(region):
    """The demo commissioner agreed at the 2025-06 meeting that the under-collecting
    provider collects its baseline questionnaires by 2025-12 (open), and that the worse
    provider's care pathway is gone through (done): the 2025-12 agenda carries the first,
    now late, not the second, and lists the obligation that still fails."""
    home, _ = region
    tyyni = _finding(home, "prom_under_collection")["provider_id"]
    worse = _finding(home, "worse_outcomes")["provider_id"]
    carried = _sql(home, "select * from mart_meeting_agreements where period = ?", PERIODS[-1])
    assert carried.provider_id.tolist() == [tyyni] and carried.is_due.all()
    assert _sql(home, "select count(*) n from mart_meeting_agreements where period = ?",
                PERIODS[0]).n[0] == 0  # nothing was agreed before the first meeting
    page = (home / "reports" / PERIODS[-1] / "providers" / tyyni / "feedback.html").read_text()
    agenda = page.split('id="asialista"')[1].split("</section>")[0]
    assert "Lähtötason kysely täytetään ensikäynnillä" in agenda
    assert "määräaika on umpeutunut" in agenda and "PROM-keruuvelvoitteet eivät täyty" in agenda
    steering = (home / "reports" / PERIODS[-1] / "steering_report.html").read_text()
    agendas = steering.split('id="asialistat"')[1].split("</section>")[0]
    assert "Hoitoketju käydään läpi" not in agendas  # done: not carried
    assert _sql(home, "select name_fi from mart_period_register where period = ? and "
                "kind = 'provider' and code = ?", PERIODS[-1], tyyni).name_fi[0] in agendas
    # the done action belonged to the planted worse provider: not on its own agenda either
    own = (home / "reports" / PERIODS[-1] / "providers" / worse / "feedback.html").read_text()
    assert "Hoitoketju käydään läpi" not in own


@pytest.mark.parametrize("kind, better", [("worse_outcomes", False), ("better_outcomes", True)])
def test_planted_outcome_differences_are_found(region, kind, better):
    home, _ = region
    finding = _finding(home, kind)
    rows = _sql(home, "select instrument, change_mean, peer_change_mean from "
                "mart_provider_package_outcomes where period = ? and provider_id = ? "
                "and package_code = ?", PERIODS[-1], finding["provider_id"],
                finding["main_package"]).set_index("instrument")
    eq5d, phq9 = rows.loc["EQ5D5L"], rows.loc["PHQ9"]
    # EQ-5D: up is better; PHQ-9: down is better
    assert bool(eq5d.change_mean > eq5d.peer_change_mean) == better
    assert bool(phq9.change_mean < phq9.peer_change_mean) == better


def test_provider_feedback_holds_only_its_own_records(region):
    home, _ = region
    out = home / "reports" / PERIODS[-1] / "providers"
    quarantine = pd.concat([pd.read_parquet(home / "quarantine" / e)
                            for e in ("events", "proms") if (home / "quarantine" / e).exists()])
    assert quarantine.provider_id.nunique() >= 2, "the check needs two providers' rows"
    for provider_id, own in quarantine.groupby("provider_id"):
        others = set(quarantine.record_id[quarantine.provider_id != provider_id]) - set(
            own.record_id)
        fix = pd.read_csv(out / provider_id / "rows_to_fix.csv", sep=";", dtype=str,
                          encoding="utf-8-sig")
        assert set(fix.record_id) == set(own.record_id)
        html = (out / provider_id / "feedback.html").read_text()
        for record_id in others:
            assert record_id not in set(fix.record_id)
            assert f">{record_id}<" not in html


def _submitted_codes(raw: Path) -> set[str]:
    codes: set[str] = set()
    for path in raw.rglob("*.*"):
        entity = ENTITIES[path.stem]
        codes |= set(read_file(path, entity).rows["hetu"].dropna())
    return codes


def test_no_identity_code_reaches_lake_warehouse_or_reports(region):
    home, _ = region
    codes = _submitted_codes(home / "demo" / "raw")
    assert len(codes) > 1000

    def leaked(text: str) -> set[str]:
        return set(HETU_LIKE.findall(text)) & codes

    scanned = {".html": 0, ".csv": 0, ".parquet": 0}
    for path in home.rglob("*"):
        if path.suffix in (".html", ".csv", ".json", ".log") and "demo" not in path.parts:
            assert not leaked(path.read_text(errors="replace")), path
        if path.suffix == ".parquet" and "demo" not in path.parts:
            assert not leaked(pd.read_parquet(path).astype(str).to_csv()), path
        scanned[path.suffix] = scanned.get(path.suffix, 0) + ("demo" not in path.parts)
    assert scanned[".html"] >= 12 and scanned[".csv"] >= 12 and scanned[".parquet"] > 100
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
            assert not leaked(con.table(table).df().astype(str).to_csv()), table
        assert not con.execute("select * from information_schema.columns "
                               "where column_name ilike '%hetu%'").fetchall()


def test_rerunning_a_period_changes_nothing(region, monkeypatch, fixed_time):
    """A forced rerun reads the period's months again, under the key the region was run
    with: the same clients, by the same pseudonyms, in the same segments (its reports say
    the region's fixed time, as the region's own runs did)."""
    monkeypatch.setenv("ARVO_PSEUDONYM_KEY", LOOP_KEY)
    home, _ = region
    count = "select count(*) n, sum(clients) c from mart_segment_value where period = ?"
    clients = ("select client_id, segment_code from mart_client_segments where period = ? "
               "order by client_id")
    before = _sql(home, count, PERIODS[0])
    segmented = _sql(home, clients, PERIODS[0])
    again = steering_flow(SteeringParams(home=home, period=PERIODS[0], force=True))
    assert all(f["rows_in"] == f["rows_accepted"] + f["rows_quarantined"] for f in again.files)
    pd.testing.assert_frame_equal(before, _sql(home, count, PERIODS[0]))
    pd.testing.assert_frame_equal(segmented, _sql(home, clients, PERIODS[0]))
    periods = _sql(home, "select distinct period from mart_segment_value order by 1")
    assert periods.period.tolist() == PERIODS


# --------------------------------------------------------------------------- obligations


def test_obligation_checks_are_stored_per_period(region):
    home, results = region
    for r in results:
        assert sum(r.obligations.values()) > 0 and r.obligations["error"] == 0
        assert set(r.seconds) == {"ingest", "transform", "obligations", "report", "total"}
        checked = obligation_results(home / "warehouse" / "arvo.duckdb", r.period)
        assert set(checked.status) <= {"passed", "failed", "not_applicable", "error"}
        assert (checked.category == "completeness").all() and checked.rationale.str.len().gt(
            0).all()
        mart = _sql(home, "select provider_id, scope, scope_code, instrument, timepoint, "
                    "meets_obligation from mart_prom_compliance where period = ?", r.period)
        judged = checked[checked.status.isin(["passed", "failed"])]
        merged = mart.merge(judged, on=["provider_id", "scope", "scope_code", "instrument",
                                        "timepoint"], how="outer", indicator=True)
        assert (merged["_merge"] == "both").all()  # every compliance row was checked
        assert (merged.meets_obligation == (merged.status == "passed")).all()
        assert (checked.status == "failed").sum() == r.obligations["failed"]


def test_schedules_follow_the_definitions(region):
    home, _ = region
    rows = _sql(home, "select * from mart_prom_compliance where period = ?", PERIODS[-1])
    hf = rows[rows.package_code == "HEART_FAILURE"]
    assert {"baseline", "followup_30d", "followup_6m", "followup_12m"} <= set(hf.timepoint)
    assert hf.restarted_episodes.sum() > 0  # acute admissions restarted some schedules
    assert (rows[rows.timepoint != "baseline"].measure == "paired").all()
    assert (rows.collected <= rows.timepoint_collected).all()
    third = rows[(rows.package_code == "CASE_MANAGEMENT") & (rows.sector == "third")]
    assert len(third) and (third.obligation_sector == "third").all()
    assert set(third.min_rate) == {0.7, 0.5}
    others = rows[(rows.package_code == "CASE_MANAGEMENT") & (rows.sector != "third")]
    assert (others.obligation_sector == "all").all() and set(others.min_rate) == {0.8, 0.6}
    # the segment obligations: no package; HNHC's third-sector entry for the third sector,
    # FRAIL_ELDERLY's (definitions v2, from 2025-01) one entry for all
    seg = rows[rows.scope == "segment"]
    assert set(seg.scope_code) == {"HNHC", "FRAIL_ELDERLY"} and seg.package_code.isna().all()
    hnhc, frail = seg[seg.scope_code == "HNHC"], seg[seg.scope_code == "FRAIL_ELDERLY"]
    assert (hnhc.obligation_sector == hnhc.sector.where(hnhc.sector == "third", "all")).all()
    assert (frail.obligation_sector == "all").all() and set(frail.definitions_version) == {"v2"}


def test_episodes_to_complete_are_the_providers_own(region):
    home, _ = region
    episodes = pd.read_parquet(home / "lake" / "episodes")
    own = episodes.groupby("provider_id")["episode_id"].apply(set)
    out = home / "reports" / PERIODS[-1] / "providers"
    listed = 0
    for provider_id in own.index:
        path = out / provider_id / "episodes_to_complete.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig")
        assert set(rows.episode_id) <= own[provider_id]
        assert set(rows.status) <= {"collectable", "missed", "unpaired"}
        others = set().union(*(own[p] for p in own.index if p != provider_id)) - own[provider_id]
        assert not set(rows.episode_id) & others
        html = (out / provider_id / "feedback.html").read_text()
        for episode_id in others:
            assert f">{episode_id}<" not in html
        listed += len(rows)
    assert listed > 0
    tyyni = _finding(home, "prom_under_collection")["provider_id"]
    missing = pd.read_csv(out / tyyni / "episodes_to_complete.csv", sep=";", dtype=str,
                          encoding="utf-8-sig")
    assert (missing.status == "missed").any()


def test_feedback_says_what_changed_since_the_previous_period(region):
    home, _ = region
    tyyni = _finding(home, "prom_under_collection")["provider_id"]
    first = (home / "reports" / PERIODS[0] / "providers" / tyyni / "feedback.html").read_text()
    assert "ensimmäinen kausi" in first
    second = (home / "reports" / PERIODS[1] / "providers" / tyyni / "feedback.html").read_text()
    section = second.split("Muutokset edelliseen kauteen")[1].split("PROM-keruuvelvoitteet")[0]
    assert f"Verrattuna kauteen {PERIODS[0]}" in section
    assert "jatkuu" in section  # Tyyni under-collects in both periods
    # rows quarantined in months after the first period are new in the second
    defects = [d for d in _truth(home)["defects"] if d["month"] > PERIODS[0]]
    assert defects, "the region plants defects after the first period"
    pid = defects[0]["provider_id"]
    html = (home / "reports" / PERIODS[1] / "providers" / pid / "feedback.html").read_text()
    changed = html.split("Muutokset edelliseen kauteen")[1].split("PROM-keruuvelvoitteet")[0]
    assert "uusi" in changed and defects[0]["column"] in changed


def test_steering_report_has_the_compliance_overview(region):
    home, _ = region
    html = (home / "reports" / PERIODS[-1] / "steering_report.html").read_text()
    section = html.split("PROM-keruuvelvoitteiden täyttyminen")[1].split("Tietojen laatu")[0]
    assert 'class="matrix"' in section and "Velvoitteiden automaattiset tarkistukset" in section
    assert "Sydämen vajaatoiminnan hoito" in section and "30 vrk seuranta" in section
    assert "Mielenterveyspalvelut Tyyni Oy" in section and "ei täyty" in section



def test_follow_up_finds_the_planted_trend_and_no_other(region, tmp_path):
    """The follow-up (docs/follow-up.md) of 2024-12..2025-12 finds the planted improvement
    of depression care (PHQ-9, planted_truth.json `trends`) and no change where none was
    planted; it writes the report and a draft definitions version. On a copy of the
    region's home with 2024-12 steered too (a backfill), so the module's periods stay."""
    import shutil

    from arvo.follow_up.evaluate import evaluate_warehouse
    from flows.follow_up import FollowUpParams, follow_up

    home = tmp_path / "home"
    shutil.copytree(region[0], home, ignore=shutil.ignore_patterns("reports"))
    steering_flow(SteeringParams(home=home, period="2024-12", reports=False))
    params = FollowUpParams(home=home, first="2024-12", last=PERIODS[-1])
    result = follow_up(params)
    assert result.periods == ["2024-12", *PERIODS]
    assert result.reports[0].name == "follow_up_report.html" and result.reports[0].is_file()
    assert (result.draft / "versions" / result.version / "version.yml").is_file()
    planted = next(t for t in _truth(home)["trends"] if t["kind"] == "outcome_trend")
    found = {(p["package_code"], p["instrument"]): p["trend"] for p in
             evaluate_warehouse(params.settings(), "2024-12", PERIODS[-1])
             .outcomes["packages"]}
    assert found[(planted["package_code"], planted["instrument"])]["direction"] == "improving"
    judged = [(cell, found[(cell["package_code"], cell["instrument"])])
              for cell in planted["no_trend"]
              if (cell["package_code"], cell["instrument"]) in found]
    assert judged  # the cells the truth calls trendless that the follow-up measured
    for cell, trend in judged:
        assert trend["direction"] in ("no_change", "not_measurable"), (cell, trend)
