"""The follow-up on the tiny warehouse (tests/conftest.py: the tiny lake built for 2024-12
and 2025-01): what it reads, the clients' moves between segments, exact payment sums,
the small-cell rule, the draft definitions version and the report."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import duckdb
import pytest
from ruamel.yaml import YAML

from arvo import definitions
from arvo.follow_up.draft import renew
from arvo.follow_up.evaluate import MissingPeriods, evaluate, evaluate_warehouse
from arvo.report import follow_up as view
from arvo.report.disclosure import SUPPRESSED
from arvo.report.warehouse import open_warehouse
from tests.conftest import TINY_PERIODS
from tests.dbt_project import tiny_lake

FIRST, LAST = TINY_PERIODS


@pytest.fixture(scope="module")
def evaluation(tiny_warehouse):
    return evaluate_warehouse(tiny_warehouse["settings"], FIRST, LAST)


def test_missing_periods_are_named_with_the_command_to_run_them(tiny_warehouse):
    with open_warehouse(tiny_warehouse["settings"].warehouse) as wh:
        with pytest.raises(MissingPeriods) as err:
            evaluate(wh, "2024-06", LAST)
    assert err.value.missing == ["2024-06"]
    assert "arvo steer --period 2024-06" in str(err.value)
    assert "2024-12, 2025-01" in str(err.value)


def test_span_and_versions(evaluation):
    assert evaluation.periods == [FIRST, LAST]
    # definitions/: v1 up to 2024-12, v2 from 2025-01 (docs/definitions.md)
    assert evaluation.versions == {FIRST: ["v1"], LAST: ["v2"]}


def test_client_segments_are_recorded_per_period(tiny_warehouse):
    with duckdb.connect(str(tiny_warehouse["settings"].warehouse), read_only=True) as con:
        rows = con.execute("select period, count(*), count(distinct client_id), "
                           "min(definitions_version) from mart_client_segments "
                           "group by period order by period").fetchall()
    # tiny_lake.py: 11 clients with events in 2024 (M has only a 2023 event)
    assert [r[0] for r in rows] == [FIRST, LAST]
    assert rows[0][1] == rows[0][2] == 11
    assert rows[0][3] == "v1"


def test_client_i_moves_from_mostly_healthy_to_frail_elderly(evaluation):
    # tiny_lake.py: client I turns 75 in 2025 and has home care: MOSTLY_HEALTHY in 2024-12,
    # FRAIL_ELDERLY in 2025-01; nobody else changes segment.
    moves = {(m["from_segment"], m["to_segment"]): m["clients"]
             for m in evaluation.segments["moves"]}
    changed = {k: v for k, v in moves.items() if k[0] != k[1]}
    assert changed.get(("MOSTLY_HEALTHY", "FRAIL_ELDERLY")) == 1
    assert sum(v for (f, _), v in moves.items() if f != "(none)") == 11
    shown = view.segment_view(evaluation, "fi")
    row = next(r for r in shown["matrix"] if r["from"] == "MOSTLY_HEALTHY")
    cell = next(c for c in row["cells"] if c["to"] == "FRAIL_ELDERLY")
    assert cell["n"] is SUPPRESSED


def test_payment_sums_are_exact_decimals(tiny_warehouse, evaluation):
    totals = evaluation.payments["totals"]
    with duckdb.connect(str(tiny_warehouse["settings"].warehouse), read_only=True) as con:
        (expected,) = con.execute("select sum(amount_eur) from mart_provider_payments "
                                  "where period = ? and line = 'total'", [LAST]).fetchone()
    got = [t["amount_eur"] for t in totals if t["period"] == LAST and t["line"] == "total"]
    assert all(isinstance(a, Decimal) for a in got)
    assert sum(got, Decimal(0)) == (expected or Decimal(0))


def test_objective_units_have_a_series_per_period_and_a_change(evaluation):
    assert evaluation.objectives
    for u in evaluation.objectives:
        assert len(u["series"]) == 2
        assert u["trend"]["direction"] in ("improving", "worsening", "no_change",
                                           "not_measurable")
        measurable = [r for r in u["series"] if r and r["value_measurable"]]
        if len(measurable) < 2:
            assert u["trend"]["direction"] == "not_measurable"


def test_no_small_figure_reaches_the_objectives_view(evaluation):
    small = 0
    for o in view.objective_view(evaluation, "en"):
        for unit in [o["scope"], *o["providers"]]:
            for r, f in zip((x for x in unit and _rows(evaluation, o["code"], unit) or []),
                            unit["series"] if unit else [], strict=False):
                if r and 0 < (r["clients"] or 0) < 5 and f:
                    assert f["value"] is SUPPRESSED
                    small += 1
    assert small, "the tiny warehouse has no figure on under 5 clients: the test saw none"


def _rows(ev, code, unit):
    found = next(u for u in ev.objectives if u["objective_code"] == code
                 and u["scope_id"] == unit["id"])
    return found["series"]


def test_renewal_writes_a_loadable_draft_and_the_report(tiny_warehouse, evaluation):
    settings = tiny_warehouse["settings"]
    renewal = renew(settings, evaluation, "2025-03")
    draft = renewal.path
    assert draft == settings.home / "follow-up" / f"{FIRST}_{LAST}" / "draft"
    # a complete definitions folder: the repository's files, v1 and the new version
    assert {p.name for p in draft.glob("*.yml")} >= {"providers.yml", "obligations.yml",
                                                     "version.yml"}
    version = draft / "versions" / renewal.version
    meta = YAML(typ="safe").load((version / "version.yml").read_text())
    assert meta["version"] == renewal.version and meta["in_force_from"] == "2025-03"
    assert sorted(p.name for p in version.glob("*.yml") if p.name != "version.yml") == \
        renewal.files
    proposals = YAML(typ="safe").load(renewal.proposals_path.read_text())
    assert len(proposals["proposals"]) == len(renewal.proposals)
    assert definitions.load(draft, period="2025-03").version == renewal.version
    for lang in ("fi", "sv", "en"):
        (path,) = view.render_report(settings, evaluation, renewal, lang)
        html = path.read_text(encoding="utf-8")
        assert f'lang="{lang}"' in html and FIRST in html and ">v2<" in html


def test_the_command_names_the_missing_periods(tiny_warehouse, prefect_server):
    from click.testing import CliRunner

    from flows.cli import main

    home = tiny_warehouse["settings"].home
    result = CliRunner().invoke(main, ["follow-up", "--from", "2024-06", "--to", LAST,
                                       "--home", str(home)])
    assert result.exit_code == 1
    assert "no steering results for 2024-06" in result.output
    assert "arvo steer --period 2024-06" in result.output


def test_the_report_names_what_it_counts(tiny_warehouse, evaluation):
    """Packages, segments, provider types, instruments and timepoints by name in the
    report's language, not by the definitions' codes (the proposals keep the codes in
    their subject, file and key, which name what they change)."""
    settings = tiny_warehouse["settings"]
    # the tiny lake's uplifts rest on 1 to 3 eligible episodes each, which no payment
    # judges, so it has no proposal of its own: one uplift paid under the obligation's
    # minimum on 20 episodes gives the renewal one to word
    paid = {"period": LAST, "provider_id": tiny_lake.P1, "package_code": "DEPRESSION",
            "rule_sector": "all", "adjustment": "outcome_uplift",
            "amount_eur": Decimal("1920.00"), "episodes": 20, "rate": 0.6, "collected": 12,
            "eligible": 20}
    evaluation = dataclasses.replace(
        evaluation, payments={**evaluation.payments, "uplifts_paid": [paid]})
    (path,) = view.render_report(settings, evaluation, renew(settings, evaluation, "2025-03"),
                                 "fi")
    body = path.read_text("utf-8").split('<section id="versiot">')[1]
    text = re.sub(r"<[^>]+>", " ", body.split('<section id="ehdotukset">')[0])
    defs = definitions.load(settings.definitions_dir, period=LAST)
    codes = [*defs.package_codes, *(s.code for s in defs.segments), "public", "private",
             "third", "EQ5D5L", "PHQ9", "baseline", "followup_6m", "(none)"]

    def named(text):
        return [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]

    assert named(text) == []
    # the proposals keep the codes in their subject, file and key, not in their reasons
    proposals = path.read_text("utf-8").split('<section id="ehdotukset">')[1]
    reasons = [re.sub(r"<[^>]+>", " ", row.split("<td>")[-1])
               for row in re.findall(r"<tr[^>]*>(.*?)</tr>", proposals, re.S)[1:]]
    assert reasons and all(named(r) == [] for r in reasons), reasons
    assert "DEPRESSION" in proposals  # its subject
    for name in ("Masennuksen hoitoketju", "yksityinen", "PHQ-9", "Pääosin terveet",
                 "(ei palveluja)"):
        assert name in text, name
    (path,) = view.render_report(settings, evaluation, renew(settings, evaluation, "2025-03"),
                                 "sv")
    moves = path.read_text("utf-8").split('<section id="segmentit">')[1]
    assert "Huvudsakligen friska" in moves and "Pääosin terveet" not in moves  # segments.yml


def test_no_status_that_would_tell_a_hidden_share_reaches_the_objectives_view(evaluation):
    # PUBLIC_BASELINE's 5 of 6 is hidden and "met" (at least 80 %) would give the 5
    told = 0
    for o in view.objective_view(evaluation, "en"):
        for unit in [o["scope"], *o["providers"]]:
            rows = unit and _rows(evaluation, o["code"], unit) or []
            for r, f in zip(rows, unit["series"] if unit else [], strict=False):
                if r and r["status_tells_small"]:
                    assert f["status"] == view.STATUS_WORDS["hidden"]
                    assert unit["periods_met"] is None  # the count would tell it too
                    told += 1
    assert told, "the tiny warehouse has no telling status: the test saw none"
