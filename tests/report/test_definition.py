"""The definition report: rendered from the warehouse alone in Finnish, Swedish and
English, every cell of 1-4 clients suppressed (docs/definition.md)."""

from __future__ import annotations

import pytest

from arvo.report.definition import (
    concentration_view,
    moves_view,
    population_view,
    render_definition_report,
)
from arvo.report.disclosure import COMPLEMENTARY, SUPPRESSED
from tests.dbt_project import tiny_lake
from tests.report.headers import header_rows

PERIOD = "2024-12"
HEADINGS = {"fi": ("Nykytila määrittelyä varten joulukuu 2024", "Lorenzin käyrä",
                   "Luonnoksen segmentit"),
            "sv": ("Nuläget för definitionen december 2024", "Lorenzkurva",
                   "Utkastets segment"),
            "en": ("Current state for definition December 2024", "Lorenz curve",
                   "Draft segments")}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_definition_report_renders_in_each_language(definition_warehouse, lang, tmp_path):
    # the reports read only the warehouse: no definitions folder at hand
    settings = definition_warehouse["settings"].model_copy(
        update={"definitions_dir": tmp_path / "none", "reports_dir": tmp_path / "reports"})
    path = render_definition_report(settings, PERIOD, lang)
    assert path == tmp_path / "reports" / "definition" / PERIOD / "definition_report.html"
    html = path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    for text in HEADINGS[lang]:
        assert text in html, text
    assert 'class="definitions-version">v1<' in html
    assert '<path d="M44.0,342.0 L47.2,342.0' in html  # the Lorenz curve, from the origin
    # the draft moves C (one client): the count is suppressed, not shown
    assert "&lt;5" in html
    assert not any(cid in html for cid in tiny_lake.CLIENT_ID.values())
    assert "HOME_CARE_VISIT + INPATIENT_DAY" not in html  # a combination of 1 client
    # no table has two columns of the same name (fi: "Instrument" had read as "Measure")
    heads = header_rows(html)
    assert len(heads) >= 5
    for names in heads:
        assert len(names) == len(set(names)), names


def test_a_small_cell_hides_the_cells_that_keep_it_from_the_totals():
    """The age x sex table and the segment moves: a small cell, and the other corners of
    a rectangle, since each row's total and each column's (a sex, a segment's size) is
    shown (arvo/report/disclosure.py table_hidden)."""
    rows = [{"age_group": a, "sex": s, "municipality": "837", "clients": n, "cost_eur": 1}
            for a, s, n in (("0-17", "F", 2), ("0-17", "M", 6),
                            ("18-64", "F", 30), ("18-64", "M", 40))]
    ages = population_view(rows)["ages"]
    assert [a["cells"] for a in ages] == [[SUPPRESSED, COMPLEMENTARY],
                                          [COMPLEMENTARY, COMPLEMENTARY]]
    assert [a["clients"] for a in ages] == [8, 70]
    segments = [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}]
    moves = moves_view([{"segment_code": a, "draft_segment_code": b, "clients": n}
                        for a, b, n in (("A", "A", 50), ("A", "B", 3), ("B", "B", 60),
                                        ("B", "A", 9))], segments, segments)
    assert [r["cells"] for r in moves["rows"]] == [[COMPLEMENTARY, SUPPRESSED],
                                                   [COMPLEMENTARY, COMPLEMENTARY]]
    # all clients less those who stay: hidden with them
    assert moves["moved"] is COMPLEMENTARY
    moves = moves_view([{"segment_code": a, "draft_segment_code": b, "clients": n}
                        for a, b, n in (("A", "A", 50), ("A", "B", 7), ("B", "B", 60),
                                        ("B", "A", 9))], segments, segments)
    assert moves["moved"] == 16 and moves["rows"][0]["cells"] == [50, 7]


def test_costliest_shares_are_read_off_the_lorenz_curve():
    # 20 clients: the bottom 18 cost 10 EUR each, the top two 410 EUR each (1,000 EUR)
    rows = [{"percentile": p, "clients_in_bottom": p * 20 // 100, "clients_total": 20,
             "cost_share": min(p * 20 // 100, 18) * 10 / 1000
             + max(p * 20 // 100 - 18, 0) * 0.41,
             "gini": 0.7} for p in range(0, 101)]
    for r in rows:
        r["top_cost_share"] = 1 - r["cost_share"]
    view = concentration_view(rows, "en")
    tops = {t["share"]: t for t in view["tops"]}
    assert tops[0.10]["clients"] is SUPPRESSED  # 2 clients
    assert tops[0.5]["clients"] == 10 and tops[0.5]["cost_share"] == pytest.approx(0.9)
    assert view["gini"] == 0.7 and view["chart"]["curve"].startswith("M44.0,")


def test_baselines_list_segments_by_priority_then_packages_and_sectors():
    from arvo.report.definition import baseline_view
    from arvo.report.labels import Names

    rows = [{"scope": scope, "scope_code": code, "measure": "mid_share",
             "measure_kind": "share", "instrument": "EQ5D5L", "n": n, "clients": n,
             "value": 0.5, "ci_lower": 0.2, "ci_upper": 0.8}
            for scope, code, n in [("sector", "public", 9), ("segment", "MOSTLY", 9),
                                   ("package", "DEP", 9), ("segment", "HNHC", 3)]]
    view = baseline_view(rows, Names({}, {}, {}), {"HNHC": 1, "MOSTLY": 5})
    assert [b["scope_name"] for b in view[:3]] == ["HNHC", "MOSTLY", "DEP"]
    assert view[0]["value"] is SUPPRESSED and view[1]["value"] == 0.5  # 3 clients: hidden
