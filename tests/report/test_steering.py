"""The commissioner's steering report (arvo/report/steering.py, steering_report.html.j2)."""

from __future__ import annotations

from pathlib import Path

from arvo import report
from arvo.config import Settings
from tests.report import marts
from tests.report.handmade import (
    A_QUARANTINE,
    B_QUARANTINE,
    DATA_QUALITY,
    PERIOD,
    SEGMENTS,
    all_record_ids,
    build,
)


def test_steering_report_shows_aggregates_with_suppression(settings: Settings):
    path = report.render_steering_report(settings, PERIOD)
    assert path == settings.reports_dir / PERIOD / "steering_report.html"
    html = path.read_text(encoding="utf-8")
    for _code, name_fi, *_ in SEGMENTS:
        assert name_fi in html
    assert "Vanha kausi" not in html and "55 555" not in html
    # HNHC has 3 clients: suppressed; so is the next smallest segment (complementary)
    assert 'class="sup"' in html and "&lt;5" in html
    assert ">50 000 €<" not in html  # HNHC cost per client
    # FRAIL_ELDERLY (97 clients) is hidden only so HNHC cannot be recovered from the totals
    assert ">3 093 €<" not in html and ">..</span>" in html
    assert ">333 €<" in html  # MOSTLY_HEALTHY
    assert "1 000" in html  # headline clients
    # the footer states the rule in words, not as code
    assert "Pienten lukujen peittäminen" in html and "arvo.report" not in html
    assert "sama sääntö koskee kaikkia taulukoita" in html
    # cost concentration bars
    assert "bar-fill" in html and "26,7 %" in html
    # provider B has 3 pairs: its change is suppressed; A is flagged better, C worse (PHQ-9)
    assert "-6,0" in html and "parempi kuin vertailu" in html
    assert "heikompi kuin vertailu" in html
    assert "-2,0" in html  # C's change (40 pairs) is shown
    # B's 3 pairs and mean would follow from A's and C's peer figures: those are hidden
    assert ">-4,0<" not in html and ">43<" not in html and ">-5,0<" not in html
    # the data quality table counts what each provider's folder holds that is not read
    quality = html.split("Data quality by provider")[1]
    assert 'Not read' in quality and '<span class="badge warn">2</span>' in quality
    # compliance: A fails; B's 4 episodes are suppressed
    assert "ei täyty" in html and "40 %" in html
    assert "50 %" not in html.split("PROM-keruuvelvoitteiden")[1].split("Tietojen laatu")[0]
    # data quality per provider, aggregates only
    assert "Tietojen laatu palveluntuottajittain" in html
    # no record-level data: no record ids, file names, messages or row values
    for rid in all_record_ids(A_QUARANTINE) | all_record_ids(B_QUARANTINE):
        assert rid not in html
    for row in DATA_QUALITY:
        assert row[4] not in html
    assert "puuttuu pakollinen sarake" not in html
    assert "SECRET-ROW-VALUE" not in html
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html


def test_steering_report_with_empty_marts(tmp_path: Path):
    s = build(tmp_path, empty=True)
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "ei ole vielä tietoja" in html


def test_steering_report_without_warehouse(tmp_path: Path):
    s = marts.settings(tmp_path)
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "ei ole vielä tietoja" in html
