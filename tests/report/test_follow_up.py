"""The follow-up report's payment tables (arvo/report/follow_up.py `payment_view`): exact
sums over the span and per period, and no sum under 5 episodes or one that a total
would give away (docs/follow-up.md "Disclosure")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arvo.follow_up.evaluate import Evaluation, evaluate_warehouse
from arvo.follow_up.renewal import Proposal
from arvo.messages import msg
from arvo.report import follow_up as view
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED, hidden
from arvo.report.labels import Names
from tests.conftest import TINY_PERIODS

KNOWN = Names(providers={}, packages={"HIP": ("Lonkka", "Hip"), "DEP": ("Masennus", "Dep")},
              segments={})


def _lines(period, package, sector, episodes, base, uplift=None):
    """One period x package x sector's lines as evaluate.payments gives them."""
    amounts = {"base": base, **({"uplift": uplift} if uplift is not None else {})}
    amounts["total"] = sum(amounts.values(), Decimal(0))
    return [{"period": period, "package_code": package, "sector": sector, "line": line,
             "amount_eur": amount, "providers": 1, "episodes": episodes}
            for line, amount in amounts.items()]


def _ev(periods, totals, adjustments=()):
    return Evaluation(first=periods[0], last=periods[-1], periods=periods, versions={},
                      payments={"totals": totals, "adjustments": list(adjustments)})


def _adjustment(package, sector, amount):
    return {"package_code": package, "rule_sector": sector, "adjustment": "uplift_x",
            "line": "uplift", "provider_periods": 2, "providers": 1, "conditions_met": 2,
            "applied": 2, "amount_eur": amount, "failed_conditions": None}


def _row(shown, period, package, sector):
    return next(r for r in shown["rows"] if (r["period"], r["package_code"], r["sector_code"])
                == (period, package, sector))


def test_span_and_period_sums_are_exact_when_every_row_is_shown():
    ev = _ev(["2025-01", "2025-02"], [
        *_lines("2025-01", "HIP", "public", 20, Decimal("1000.10"), Decimal("50.05")),
        *_lines("2025-02", "HIP", "public", 22, Decimal("1100.20"), Decimal("0.00")),
        *_lines("2025-01", "DEP", "private", 9, Decimal("300.33"))])
    shown = view.payment_view(ev, KNOWN)
    (hip,) = [s for s in shown["span"] if s["package_code"] == "HIP"]
    assert (hip["base"], hip["uplift"], hip["total"]) == (
        Decimal("2100.30"), Decimal("50.05"), Decimal("2150.35"))
    assert hip["package"] == "Lonkka"
    assert [p["total"] for p in shown["periods"]] == [Decimal("1350.48"), Decimal("1100.20")]
    assert shown["whole"]["total"] == Decimal("2450.68")
    assert all(isinstance(v, Decimal) for v in shown["whole"].values())
    assert "uplift" not in _row(shown, "2025-01", "DEP", "private")  # no such line: "–"


def test_a_lone_small_row_hides_a_second_and_every_sum_it_enters():
    ev = _ev(["2025-01", "2025-02"], [
        *_lines("2025-01", "HIP", "public", 20, Decimal("1000"), Decimal("50")),
        *_lines("2025-01", "DEP", "public", 3, Decimal("300"), Decimal("30")),
        *_lines("2025-01", "DEP", "private", 10, Decimal("900"), Decimal("0")),
        *_lines("2025-02", "HIP", "public", 21, Decimal("1050"), Decimal("50")),
        *_lines("2025-02", "DEP", "public", 6, Decimal("600"), Decimal("60")),
        *_lines("2025-02", "DEP", "private", 11, Decimal("990"), Decimal("0"))],
        [_adjustment("HIP", "all", Decimal("100")), _adjustment("DEP", "public", Decimal("90")),
         _adjustment("DEP", "private", Decimal("0"))])
    shown = view.payment_view(ev, KNOWN)
    small = _row(shown, "2025-01", "DEP", "public")
    assert small["episodes"] is SUPPRESSED and small["total"] is SUPPRESSED
    # the next smallest row of the period, so the period's total less the rows shown
    # gives only the sum of two
    second = _row(shown, "2025-01", "DEP", "private")
    assert second["total"] is COMPLEMENTARY and second["episodes"] == 10
    assert _row(shown, "2025-01", "HIP", "public")["total"] == Decimal("1050")
    assert shown["periods"][0]["total"] == Decimal("2280")  # two rows hidden: shown
    # over the span, a sum with a hidden period is hidden (it less the period shown
    # would give the hidden one); the sums of the other rows and of all are shown
    span = {(s["package_code"], s["sector_code"]): s for s in shown["span"]}
    assert span["DEP", "public"]["total"] is COMPLEMENTARY
    assert span["DEP", "private"]["base"] is COMPLEMENTARY
    assert span["HIP", "public"]["total"] == Decimal("2150")
    assert shown["whole"]["total"] == Decimal("5030")  # 2280 + 2750
    adjustments = [a["amount_eur"] for a in shown["adjustments"]]
    assert adjustments == [Decimal("100"), COMPLEMENTARY, COMPLEMENTARY]


def test_a_lone_small_row_is_hidden_with_the_only_other_one():
    # the small row's only partner is the one row with episodes: both are hidden, so
    # the period's total is the sum of two
    ev = _ev(["2025-01"], [*_lines("2025-01", "HIP", "public", 20, Decimal("1000")),
                           *_lines("2025-01", "DEP", "public", 2, Decimal("200")),
                           *_lines("2025-01", "DEP", "private", 0, Decimal("0"))])
    shown = view.payment_view(ev, KNOWN)
    assert _row(shown, "2025-01", "DEP", "public")["total"] is SUPPRESSED
    assert _row(shown, "2025-01", "HIP", "public")["total"] is COMPLEMENTARY
    assert _row(shown, "2025-01", "DEP", "private")["total"] == 0  # zero discloses nothing
    assert shown["periods"][0]["total"] == Decimal("1200")


def test_a_period_total_on_under_five_episodes_hides_the_span_total():
    ev = _ev(["2025-01", "2025-02"], [
        *_lines("2025-01", "HIP", "public", 1, Decimal("1000")),
        *_lines("2025-01", "DEP", "public", 2, Decimal("200")),
        *_lines("2025-02", "HIP", "public", 30, Decimal("3000"))])
    shown = view.payment_view(ev, KNOWN)
    assert [p["total"] for p in shown["periods"]] == [SUPPRESSED, Decimal("3000")]
    assert shown["whole"]["total"] is COMPLEMENTARY  # less 2025-02 it would be 2025-01's


@pytest.fixture(scope="module")
def tiny(tiny_warehouse):
    settings = tiny_warehouse["settings"]
    ev = evaluate_warehouse(settings, *TINY_PERIODS)
    return ev, view.payment_view(ev, KNOWN)


def test_the_tiny_warehouse_shows_no_payment_figure_on_under_five_episodes(tiny):
    """Every package of the tiny lake has 1 to 3 episodes a period: its rows, their
    episode counts, the sums over the span and the adjustments' sums are all hidden;
    a period's total over all packages (9 episodes) is shown, exact."""
    ev, shown = tiny
    assert shown["rows"] and shown["adjustments"] and shown["span"]
    for r in shown["rows"]:
        assert r["episodes"] is SUPPRESSED
        assert all(hidden(r[line]) for line in view.LINES if line in r)
    assert all(hidden(s[line]) for s in shown["span"] for line in view.LINES if line in s)
    assert all(hidden(a["amount_eur"]) for a in shown["adjustments"])
    for p in shown["periods"]:
        expected = sum((t["amount_eur"] for t in ev.payments["totals"]
                        if t["period"] == p["period"] and t["line"] == "total"), Decimal(0))
        assert p["total"] == expected and expected > 0


def test_segment_moves_hide_what_the_segments_sizes_would_give_away():
    """The rows' totals are the segments' sizes in the first period and the columns' in
    the last: a small cell hides the other corners of a rectangle, and a row's "moved"
    (its size less those who stayed) is hidden when those who stayed are."""
    sizes = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c, "period": p,
              "clients": 100, "total_cost_eur": Decimal(1000)}
             for c in ("A", "B") for p in ("2025-01", "2025-06")]
    moves = [{"from_segment": f, "to_segment": t, "clients": n} for f, t, n in (
        ("A", "A", 80), ("A", "B", 3), ("A", "(none)", 17), ("B", "B", 90),
        ("B", "A", 6), ("B", "(none)", 4), ("(none)", "A", 20), ("(none)", "B", 7))]
    ev = Evaluation(first="2025-01", last="2025-06", periods=["2025-01", "2025-06"],
                    versions={}, segments={"sizes": sizes, "moves": moves, "unrecorded": []})
    shown = view.segment_view(ev, "en", KNOWN)
    cells = {(r["from"], c["to"]): c["n"] for r in shown["matrix"] for c in r["cells"]}
    assert cells["A", "B"] is SUPPRESSED and cells["B", "(none)"] is SUPPRESSED
    assert cells["(none)", "(none)"] is None
    hidden_cells = {k for k, n in cells.items() if hidden(n)}
    # each row and column with a hidden cell has another
    for k in hidden_cells:
        assert sum(h[0] == k[0] for h in hidden_cells) >= 2
        assert sum(h[1] == k[1] for h in hidden_cells) >= 2
    # the cheapest rectangle for A -> B (3) runs through B -> B (90), so B's "moved"
    # would give it; A's stayed are shown
    assert hidden(cells["B", "B"]) and not hidden(cells["A", "A"])
    moved = {r["from"]: r["moved"] for r in shown["matrix"]}
    assert moved == {"A": 20, "B": COMPLEMENTARY, "(none)": 27}


def test_a_proposals_reason_names_what_it_names_in_the_reports_language():
    """The renewal writes its reasons with the definitions' codes (proposals.yml, the
    CLI); the report gives them the names of the register and the catalogue."""
    known = Names(providers={}, packages={"HIP": ("Lonkka", "Hip")},
                  segments={"FRAIL": ("Hauraat", "Frail"), "OLD": ("Iäkkäät", "Older")},
                  instruments={"EQ5D5L": "EQ-5D-5L"})
    proposals = [
        Proposal("new_objective", "segment:FRAIL", msg(
            "{scope} {code} has {n} {instrument} pairs at {period} and no objective: steer "
            "it with one at its current level, a mean gain of at least {target} (now {gain}).",
            scope="segment", code="FRAIL", n=88, instrument="EQ5D5L", period="2025-12",
            target=0.05, gain=0.057), {}),
        Proposal("obligation_on_agenda", "HIP/EQ5D5L/baseline", msg(
            "{obligation} missed at {period} by {failed} of {judged} providers judged: keep "
            "the obligation and put it on the agenda of the steering dialogue.",
            obligation="HIP/EQ5D5L/baseline", period="2025-12", failed=2, judged=4),
            {"scope": "package", "scope_code": "HIP", "instrument": "EQ5D5L",
             "timepoint": "baseline"}),
        Proposal("keep_target", "HIP_GAIN", msg(
            "{objective} {status} at {period}: {value} against the target {target} (95 % "
            "interval {lower} to {upper}, n {n}); met in {met} of {periods} periods. Keep "
            "the target and take it to the providers.", objective="HIP_GAIN",
            status=msg("near"), period="2025-12", value=0.9, target=1.0, lower=0.8,
            upper=0.95, n=107, met=0, periods=12), {}),
        Proposal("extend_obligation", "segment:FRAIL", msg(
            "Extend the {source} segment's {instrument} obligation to {segment}: {clients} "
            "clients at {period}, {pairs} of them ({coverage}) already with a {instrument} "
            "pair from their packages' obligations, so collection is feasible.",
            source="OLD", instrument="EQ5D5L", segment="FRAIL", clients=1869,
            period="2025-12", pairs=305, coverage="16%"), {"coverage": 0.163})]
    shown = view.proposal_view(proposals, known, {"HIP_GAIN": "Lonkan hyöty"}, "fi")
    reasons = [r["reason"] for r in shown]
    assert reasons[0].startswith("Asiakassegmentti Hauraat: 88 EQ-5D-5L-paria"), reasons[0]
    assert reasons[1].startswith("Lonkka: EQ-5D-5L, Lähtötaso jäi"), reasons[1]
    assert reasons[2].startswith("”Lonkan hyöty” lähellä"), reasons[2]
    english = view.proposal_view(proposals, known, {"HIP_GAIN": "Hip gain"}, "en")
    assert english[2]["reason"].startswith("“Hip gain” near at 2025-12: 0.9")
    assert reasons[3].startswith("Laajennetaan segmentin Iäkkäät EQ-5D-5L-keruuvelvoite "
                                 "segmenttiin Hauraat"), reasons[3]
    assert "(16 %)" in reasons[3]
    assert not any(code in r for r in reasons
                   for code in ("FRAIL", "OLD", "HIP", "EQ5D5L", "baseline"))
    assert [r["subject"] for r in shown] == ["segment:FRAIL", "HIP/EQ5D5L/baseline", "HIP_GAIN",
                                             "segment:FRAIL"]
    assert str(proposals[0].reason).startswith("segment FRAIL has 88 EQ5D5L pairs")  # as written
