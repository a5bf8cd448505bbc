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
    assert ">-6,8<" in results  # A's adjusted change from the mean baseline (16,0)
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


def test_first_screen_names_the_providers_that_need_attention(settings: Settings):
    from tests.report.handmade import A_NAME, B_NAME, C_NAME, D_NAME

    html = report.render_steering_report(settings, PERIOD).read_text(encoding="utf-8")
    first = html.split('id="huomio"')[1].split("</section>")[0]
    assert html.index('id="huomio"') < html.index("<h2>Yhteenveto</h2>")
    # C: worse than expected beyond the 99.8 % limits; A: a failed obligation; most
    # serious first, each with its reason in one line
    assert first.index(C_NAME) < first.index(A_NAME)
    assert ("Masennuksen hoitoketju: PHQ-9-tulos odotettua heikompi (hälytys), 40 paria"
            in first)
    assert ("Masennuksen hoitoketju: PHQ-9, 6 kk seuranta – PROM-keruuvelvoite ei täyty "
            "(40 % hoitojaksoista, vaatimus 60 %)") in first
    # B's failing obligation rests on 4 episodes (suppressed); D is as expected
    attention = first.split("Odotettua paremmat")[0]
    assert B_NAME not in attention and D_NAME not in attention
    # A's better result is worth sharing, not a reason for attention
    assert f"{A_NAME} (Masennuksen hoitoketju: PHQ-9-tulos odotettua parempi" in first


def test_funnel_chart_labels_providers_and_says_what_it_shows(settings: Settings):
    from tests.report.handmade import A_NAME, C_NAME

    html = report.render_steering_report(settings, PERIOD).read_text(encoding="utf-8")
    chart = html.split("<figure")[1].split("</figure>")[0]
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert f"Odotettua heikompi: {C_NAME} (hälytys)." in chart
    # verdicts by shape and words: a diamond labelled "hälytys", a square "varoitus"
    assert "<polygon" in chart and f">{C_NAME} (hälytys)</text>" in chart
    assert "<rect" in chart and f">{A_NAME} (varoitus)</text>" in chart
    assert 'stroke-dasharray="5 3"' in chart  # 99.8 % limits dashed, 95 % solid
    # the method note: the model's pairs (hidden: B's 3 pairs could be differenced),
    # the follow-ups left out, its fit, its factors in words
    note = html.split('id="menetelma"')[1]
    assert ">7<" in note and "0,41" in note and "ikäryhmä, sukupuoli" in note
    assert "sama arvo kaikilla pareilla: sosiaalipalvelujen käyttö" in note
    assert "vähintään 30 paria" in note and "Spiegelhalter" in note
    assert "docs/verdicts.md" in note


def test_the_old_two_standard_error_flag_is_gone(settings: Settings):
    html = report.render_steering_report(settings, PERIOD).read_text(encoding="utf-8")
    for old in ("kuin vertailu", "keskivirhettä", "±2 SE", "Merkintäsääntö"):
        assert old not in html
