"""Value beside outcomes (arvo/report/value.py) in both reports, and the segment table that
replaced the value ratio: every figure through the small-cell rule."""

from __future__ import annotations

import duckdb

from arvo import report
from arvo.config import Settings
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED, hidden, suppress_rate
from arvo.report.labels import Names
from arvo.report.steering import segment_instruments, segment_tables, segment_view
from arvo.report.value import qaly_years, value_groups
from tests.report import marts
from tests.report.handmade import PERIOD, SEGMENTS, TABLES, A, B, C

NAMES = Names({}, {"DEPRESSION": ("Masennus", "Depression")}, {})


def _mart(name: str) -> list[dict]:
    """The hand-made rows of a mart as the warehouse returns them: every column."""
    return [{c: r.get(c) for c in marts.contract()[name]} for r in TABLES[name]]


def _rows(providers: tuple[str, ...] = (A, B, C)) -> dict[tuple[str, str], dict]:
    """(provider, instrument label) -> row of the DEPRESSION value table of `providers`."""
    groups = value_groups(*([r for r in _mart(m) if r["provider_id"] in providers]
                            for m in ("mart_provider_value", "mart_provider_measure_value")),
                          NAMES)
    assert [g["package_code"] for g in groups] == ["DEPRESSION"]
    return {(r["provider_id"], r["gain"]["instrument_label"] if r["gain"] else None): r
            for r in groups[0]["rows"]}


def test_suppress_rate_hides_small_numerators_denominators_and_rests():
    assert suppress_rate(0.5, 10, 20) == (0.5, 10, 20)
    assert suppress_rate(0.0, 0, 20) == (0.0, 0, 20)  # zero discloses nothing
    assert suppress_rate(0.15, 3, 20) == (SUPPRESSED,) * 3  # 3 improved
    assert suppress_rate(0.9, 18, 20) == (SUPPRESSED,) * 3  # 2 did not
    assert suppress_rate(1.0, 4, 4) == (SUPPRESSED,) * 3
    assert suppress_rate(0.5, 10, 20, 4) == (SUPPRESSED,) * 3  # 4 clients behind the pairs
    assert suppress_rate(None, None, None) == (None, None, None)


def test_value_rows_show_costs_gains_and_rates_of_large_cells():
    rows = _rows((A,))  # alone in the package: no other provider's figure to protect
    phq = rows[(A, "PHQ-9")]
    assert not phq["first"]  # costs printed once per provider, on its first row
    assert (phq["episodes"], phq["cost_per_episode"]) == (45, 1200.0)
    assert phq["cost_per_client"] == 54000 / 42
    g = phq["gain"]
    assert (g["pairs"], g["gain"], g["cost_per_gain"]) == (40, 6.0, 200.0)
    assert not g["is_index"] and g["has_talking_therapies"]
    assert g["mid"] == {"rate": 0.75, "numerator": 30, "denominator": 40}
    assert g["reliable"] == {"rate": 0.65, "numerator": 26, "denominator": 40}
    assert g["recovery"] == {"rate": 0.5, "numerator": 18, "denominator": 36}
    eq = rows[(A, "EQ-5D-5L")]
    assert eq["first"] and eq["span"] == 2
    assert eq["gain"]["is_index"] and eq["gain"]["cost_per_qaly"] == 24000.0
    assert not eq["gain"]["has_talking_therapies"]


def test_value_rows_hide_small_cells_numerators_included():
    rows = _rows()
    b = rows[(B, "PHQ-9")]  # 4 episodes, 3 pairs: nothing of B is shown
    assert all(hidden(b[k]) for k in ("episodes", "cost_per_episode", "cost_per_client"))
    assert all(hidden(b["gain"][k]) for k in ("pairs", "gain", "cost_per_gain"))
    assert all(hidden(b["gain"][k]["rate"]) for k in ("mid", "reliable", "recovery"))
    assert b["gain"]["reason_fi"] is None  # not even whether the hidden gain is positive
    c = _rows((A, C))[(C, "PHQ-9")]["gain"]  # without B, whose 3 pairs would hide C's
    assert c["cost_per_gain"] is None and c["reason_en"] == "no gain"  # worse on average
    assert hidden(c["mid"]["rate"]) and hidden(c["mid"]["numerator"])  # 3 reached the MID
    assert hidden(c["recovery"]["rate"])  # 36 of 38: the 2 who did not would show
    assert c["reliable"]["rate"] == 0.25  # 10 of 40


def test_value_rows_hide_what_the_package_totals_would_give_away():
    """The package's totals are shown elsewhere in the report (its targets, payments and
    budget). B's 4 episodes and 3 pairs alone would come back from them: C's costs and
    pairs (the next smallest, 44 and 40) are hidden too. B's and C's hidden MID
    numerators (1 and 3) and recovery rests (2 and 2) add up to 4, and B's reliable-change
    rest (3) stands alone: A's three rates are hidden too; its costs and pairs stay."""
    rows = _rows()
    a, b, c = (rows[p, "PHQ-9"] for p in (A, B, C))
    assert all(c[k] is COMPLEMENTARY for k in ("episodes", "cost_per_episode", "clients"))
    assert all(c["gain"][k] is COMPLEMENTARY for k in ("pairs", "gain", "cost_per_gain"))
    assert c["gain"]["reason_en"] is None  # the hidden gain's sign
    assert c["gain"]["reliable"]["rate"] == 0.25
    assert (a["episodes"], a["gain"]["pairs"], a["gain"]["gain"]) == (45, 40, 6.0)
    for rate in ("mid", "reliable", "recovery"):
        assert set(a["gain"][rate].values()) == {COMPLEMENTARY}, rate
        assert hidden(b["gain"][rate]["rate"])
    assert rows[A, "EQ-5D-5L"]["gain"]["mid"]["rate"] == 0.5  # A alone measures EQ-5D-5L


def test_qaly_years_is_the_marts_duration_assumption():
    assert qaly_years(TABLES["mart_provider_measure_value"]) == 1.0
    assert qaly_years([]) is None


def test_segment_mid_shares_pass_the_rate_rule():
    base = {"segment_name_fi": "S", "segment_name_en": "S", "kaiser_level": "x",
            "clients": 100, "client_share": 0.5, "total_cost_eur": 1.0,
            "cost_per_client_eur": 1.0, "cost_share": 0.5}
    rows = [{**base, "segment_code": "S"}, {**base, "segment_code": "T"}]
    eq5d = {"instrument": "EQ5D5L", "baseline_mean": 0.5, "change_mean": 0.1}
    phq9 = {"instrument": "PHQ9", "baseline_mean": 12.0, "change_mean": -3.0}
    outcomes = [
        {**eq5d, "segment_code": "S", "pairs": 40, "mid_improved": 38, "mid_share": 0.95},
        {**phq9, "segment_code": "S", "pairs": 30, "mid_improved": 12, "mid_share": 0.4},
        {**eq5d, "segment_code": "T", "pairs": 0, "mid_improved": 0, "mid_share": None},
        {**phq9, "segment_code": "T", "pairs": 20, "mid_improved": 10, "mid_share": 0.5}]
    shown = segment_view(rows, outcomes)
    (s_eq5d, s_phq9), (t_eq5d, t_phq9) = (r["outcomes"] for r in shown)
    assert hidden(s_eq5d["mid_share"])  # 2 of 40 did not reach it
    assert s_phq9["mid_share"] == 0.4
    assert t_eq5d["mid_share"] is None and t_phq9["mid_share"] == 0.5
    assert "value_ratio" not in shown[0]


def test_segment_table_has_the_instruments_of_the_mart_in_its_order():
    """A GAD-7 package's pairs get their own columns, shown the seed's way (via the mart),
    in the order of the mart's rows: no instrument is written into the report's code or
    template."""
    rows = [{"segment_code": "S", "segment_name_fi": "S", "segment_name_en": "S",
             "kaiser_level": "x", "clients": 100}]
    eq5d = marts.outcome("EQ5D5L", value_set="England", scale=True, segment_code="S",
                         pairs=40, baseline_mean=0.5, change_mean=0.1, mid_improved=20,
                         mid_share=0.5)
    gad7 = marts.outcome("GAD7", scale=True, segment_code="S", pairs=3, baseline_mean=14.0,
                         change_mean=-5.0, mid_improved=2, mid_share=2 / 3)
    shown_eq5d, shown_gad7 = segment_instruments([eq5d, gad7])
    assert (shown_gad7["instrument_label"], shown_gad7["higher_is_better"],
            shown_gad7["decimals"], shown_gad7["max_score"]) == ("GAD-7", False, 1, 21)
    assert str(shown_gad7["measure_label"]) == "GAD-7 score"  # labels.MEASURES
    assert shown_eq5d["value_set"]["code"] == "England" and shown_gad7["value_set"] is None
    assert [i["instrument"] for i in segment_instruments([gad7, eq5d])] == ["GAD7", "EQ5D5L"]
    ((cells_eq5d, cells_gad7),) = (r["outcomes"] for r in segment_view(rows, [eq5d, gad7]))
    assert (cells_eq5d["pairs"], cells_eq5d["mid_share"]) == (40, 0.5)
    assert all(hidden(v) for v in cells_gad7.values())  # 3 pairs: under 5


def test_a_lone_small_pair_count_hides_the_next_smallest_per_instrument():
    """Complementary suppression per instrument: of three segments with 100 clients each,
    S has 3 PHQ-9 pairs; T's 20 (the next smallest) are hidden too, so S's cannot be had
    from a total. The EQ-5D-5L cells and every segment's client cells stay."""
    rows = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c,
             "kaiser_level": "x", "clients": 100} for c in ("S", "T", "U")]
    outcomes = [marts.outcome(i, segment_code=c, pairs=n, baseline_mean=1.0, change_mean=0.5,
                              mid_improved=0, mid_share=0.0)
                for c, eq5d, phq9 in (("S", 50, 3), ("T", 60, 20), ("U", 70, 30))
                for i, n in (("EQ5D5L", eq5d), ("PHQ9", phq9))]
    s, t, u = segment_view(rows, outcomes)
    assert s["outcomes"][1]["pairs"] == SUPPRESSED
    assert t["outcomes"][1]["pairs"] == COMPLEMENTARY
    assert t["outcomes"][1]["change_mean"] == COMPLEMENTARY
    assert u["outcomes"][1]["pairs"] == 30
    assert [r["outcomes"][0]["pairs"] for r in (s, t, u)] == [50, 60, 70]
    assert [r["clients"] for r in (s, t, u)] == [100, 100, 100]


def test_steering_report_shows_value_with_definitions(settings: Settings):
    html = report.render_steering_report(settings, PERIOD).read_text(encoding="utf-8")
    assert "Arvosuhde" not in html and "Value ratio" not in html
    seg = html.split("Segmenttien arvo")[1].split("Kustannusten kasautuminen")[0]
    assert "EQ-5D-5L MID" in seg and "PHQ-9 MID" in seg and "40,0 %" in seg  # MOSTLY_HEALTHY
    # the instruments' columns and definitions from the mart: decimals, scale, direction
    assert "EQ-5D-5L-parit" in seg and "PHQ-9 lähtö" in seg and "12,0" in seg
    assert "EQ-5D-5L-indeksi (asteikko -1 – 1; Englannin arvotus)" in seg
    assert "suurempi muutos on parempi" in seg
    assert "PHQ-9-pisteet (asteikko 0 – 27)" in seg and "pienempi pistemäärä on parempi" in seg
    # the MIDs of the table's instruments only (seed prom_measures through the mart)
    mids = seg.split("<dt>MID</dt>")[1].split("</dd>")[0]
    assert "EQ-5D-5L-indeksi 0,063" in mids and "PHQ-9-pisteet 5" in mids
    assert "GAD-7" not in mids and "Oxford" not in mids and "EQ-5D-3L" not in mids
    value = html.split("<h2>Arvo palveluntuottajittain")[1].split("<h2>PROM-keruuvelvoitteiden")[0]
    for figure in ("1 200 €", "1 286 €", "200 €", "24 000 €", "50,0 %", "19 / 38",
                   "25,0 %", "10 / 40"):
        assert figure in value, figure
    # the rates the package's totals would give B's and C's from (A's PHQ-9: 30 / 40,
    # 26 / 40, 18 / 36), and C's gain, hidden with B's
    for figure in ("75,0 %", "30 / 40", "65,0 %", "18 / 36", "ei terveyshyötyä"):
        assert figure not in value, figure
    kaiku = value.split("Lääkärikeskus Kaiku Oy")[1].split("Mielenterveyspalvelut")[0]
    assert "1 000 €" not in kaiku and "&lt;5" in kaiku and "ei terveyshyötyä" not in kaiku
    # definitions: the duration assumption, the MIDs and their sources from the seed
    assert "hyöty kestää 1,0 vuotta" in value
    assert "PHQ-9-pisteet 5" in value and "EQ-5D-5L-indeksi 0,063" in value
    assert "McClure" in value and "Talking Therapies" in value


def test_feedback_shows_own_value_through_the_small_cell_rule(settings: Settings):
    a = report.render_provider_feedback(settings, PERIOD, A).html_path.read_text("utf-8")
    own = a.split("Kustannukset ja terveyshyöty")[1]
    assert "1 200 €" in own and "24 000 €" in own and "75,0 %" in own
    assert "Tyyni" not in own and "Kaiku" not in own  # no other provider's figures
    b = report.render_provider_feedback(settings, PERIOD, B).html_path.read_text("utf-8")
    own = b.split("Kustannukset ja terveyshyöty")[1]
    assert "1 000 €" not in own and "&lt;5" in own  # its own 4 episodes are hidden too


def test_segment_tables_hold_two_instruments_each_the_first_with_the_costs():
    instruments = [{"instrument": i} for i in ("EQ5D5L", "GAD7", "OHS", "PHQ9", "OKS")]
    tables = segment_tables(instruments)
    assert [t["first"] for t in tables] == [True, False, False]
    assert [[(k, i["instrument"]) for k, i in t["instruments"]] for t in tables] == [
        [(0, "EQ5D5L"), (1, "GAD7")], [(2, "OHS"), (3, "PHQ9")], [(4, "OKS")]]
    assert segment_tables([]) == [{"first": True, "instruments": []}]  # costs alone


def test_steering_report_continues_the_segment_table_past_two_instruments(
        settings: Settings):
    """Four instruments in the segments: EQ-5D-5L and GAD-7 beside the clients and costs,
    OHS and PHQ-9 (by code) in a second table that names the segments again."""
    extra = [marts.outcome(i, scale=True, period=PERIOD, segment_code=s[0], priority=s[4],
                           **({"pairs": n, "baseline_mean": b, "change_mean": c,
                               "mid_improved": 0, "mid_share": 0.0}
                              if s[0] == "MOSTLY_HEALTHY" else {"pairs": 0, "mid_improved": 0}))
             for s in SEGMENTS  # as the mart: a row per segment for each instrument
             for i, n, b, c in (("GAD7", 25, 11.0, -3.0), ("OHS", 30, 22.0, 14.0))]
    with duckdb.connect(str(settings.warehouse)) as con:
        marts.create(con, "mart_segment_outcomes", extra)
    html = report.render_steering_report(settings, PERIOD).read_text(encoding="utf-8")
    seg = html.split("Segmenttien arvo")[1].split("Kustannusten kasautuminen")[0]
    first, second = seg.split("</table>")[:2]
    assert "Asiakkaat" in first and "EQ-5D-5L-parit" in first and "GAD-7-parit" in first
    assert "OHS" not in first and "PHQ-9" not in first
    assert "jatkuu" in second and "OHS-parit" in second and "PHQ-9-parit" in second
    assert "Asiakkaat" not in second and "Pääosin terveet" in second
    assert "+14,0" in second and "-4,5" in second  # MOSTLY_HEALTHY's OHS and PHQ-9 change
    assert seg.count("<table") == 2


def test_a_hidden_segment_mid_share_hides_a_second_one():
    """S's PHQ-9 MID share (38 of 40: the 2 who did not reach it) is hidden; the
    segments' MID counts add up to the providers' in the value table, so T's share is
    hidden too. The pairs and means stay."""
    rows = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c,
             "kaiser_level": "x", "clients": 100} for c in ("S", "T", "U")]
    outcomes = [marts.outcome("PHQ9", segment_code=c, pairs=n, baseline_mean=12.0,
                              change_mean=-3.0, mid_improved=m, mid_share=m / n)
                for c, n, m in (("S", 40, 38), ("T", 50, 20), ("U", 60, 30))]
    s, t, u = (r["outcomes"][0] for r in segment_view(rows, outcomes))
    assert s["mid_share"] is SUPPRESSED and t["mid_share"] is COMPLEMENTARY
    assert u["mid_share"] == 0.5 and (s["pairs"], t["pairs"]) == (40, 50)


def test_pairs_outside_every_segment_are_protected_like_a_segment():
    """The value table's pairs (every provider and package) less the segment table's are
    the pairs of clients in no segment: 2 here, a small number the report would give
    by difference. A segment's pairs are hidden too (not the 2: they are not a row)."""
    from arvo.report.steering import outside_segments

    rows = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c,
             "kaiser_level": "x", "clients": 100} for c in ("S", "T", "U")]
    outcomes = [marts.outcome("PHQ9", segment_code=c, pairs=n, baseline_mean=12.0,
                              change_mean=-3.0, mid_improved=m, mid_share=m / n)
                for c, n, m in (("S", 40, 20), ("T", 50, 25), ("U", 60, 30))]
    gains = [{"instrument": "PHQ9", "pairs": 80, "mid_improved": 41},
             {"instrument": "PHQ9", "pairs": 72, "mid_improved": 35}]
    outside = outside_segments(gains, outcomes)
    assert outside == {"PHQ9": {"pairs": 2, "mid_improved": 1}}
    shown = [r["outcomes"][0] for r in segment_view(rows, outcomes, None, outside)]
    assert [s["pairs"] for s in shown] == [COMPLEMENTARY, 50, 60]
    assert shown[0]["mid_share"] is COMPLEMENTARY and shown[1]["mid_share"] == 0.5
    # none outside: nothing hidden
    shown = [r["outcomes"][0] for r in segment_view(rows, outcomes, None, {})]
    assert [s["pairs"] for s in shown] == [40, 50, 60]


def test_a_segments_target_hides_what_the_segment_table_hides():
    """HNHC's EQ-5D-5L target shows n = its pairs; where the segment table hides those
    pairs beside a small segment's, the target's figure is hidden too."""
    from arvo.report.steering import hide_segment_targets

    rows = [{"segment_code": c, "segment_name_fi": c, "segment_name_en": c,
             "kaiser_level": "x", "clients": 100} for c in ("S", "T", "U")]
    outcomes = [marts.outcome("EQ5D5L", segment_code=c, pairs=n, baseline_mean=0.5,
                              change_mean=0.05, mid_improved=0, mid_share=0.0)
                for c, n in (("S", 3), ("T", 40), ("U", 60))]
    segments = segment_view(rows, outcomes)

    def target(code, value, n):
        figure = {"value": value, "n": n, "ci_lower": 0.01, "ci_upper": 0.09}
        return {"scope": "segment", "scope_code": code, "instrument_code": "EQ5D5L",
                "whole": {**figure, "trend": [{"period": "2025-11", **figure},
                                              {"period": PERIOD, **figure}]}}

    targets = [target("T", 0.05, 40), target("U", 0.04, 60)]
    hide_segment_targets(targets, segments, segment_instruments(outcomes))
    t, u = (o["whole"] for o in targets)
    assert (t["value"], t["n"], t["ci_lower"]) == (COMPLEMENTARY, COMPLEMENTARY, None)
    assert t["trend"][-1]["n"] is COMPLEMENTARY and t["trend"][0]["n"] == 40
    assert (u["value"], u["n"]) == (0.04, 60)
