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
    # outcomes: the funnel verdicts of the mart (A better, C worse, B's 3 pairs suppressed)
    results = html.split('id="tulokset"')[1].split('id="menetelma"')[0]
    assert "odotettua parempi (varoitus)" in results and "odotettua heikompi (hälytys)" in results
    assert ">9,2<" in results and ">14,0<" in results  # adjusted means of A and C
    assert 'class="num">12,0</td>' not in results  # B's observed mean
    assert "vakiointi muutti arviota" in results  # A: as expected without adjustment
    # the data quality table counts what each provider's folder holds that is not read
    quality = html.split("Tietojen laatu palveluntuottajittain")[1]
    assert 'Lukematta' in quality and '<span class="badge warn">2</span>' in quality
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
