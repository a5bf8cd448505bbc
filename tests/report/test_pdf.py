"""The reports in print (arvo/report/pdf.py, reports/templates/print.html.j2): the PDFs'
text, extracted with pypdf, holds the title, period, marking, page numbers and the rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from arvo import report
from arvo.config import Settings
from arvo.report import render
from arvo.report.feedback import feedback_context
from arvo.report.formatting import environment
from arvo.report.pdf import css_content, write_pdf
from tests.report.handmade import A_NAME, B_NAME, C_NAME, PERIOD, A, B, C

STEERING_MARKING = "Tilaajan sisäiseen käyttöön"
FEEDBACK_MARKING = "Luottamuksellinen: vain palveluntuottajalle"


def _pages(path: Path) -> list[str]:
    """Each page's text, with runs of white space as one space (lines wrap in print)."""
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(path).pages]


def _numbered(pages: list[str]) -> None:
    """Every page says 'sivu i/n' for its own i and the document's n."""
    n = len(pages)
    for i, text in enumerate(pages, start=1):
        assert f"sivu {i}/{n}" in text, (i, text[-200:])


def test_render_all_writes_the_reports_as_pdf(settings: Settings, monkeypatch):
    # three providers are enough to see the wiring; the other registered ones render alike
    monkeypatch.setattr(render, "providers_for",
                        lambda s, p, lang="fi": {A: A_NAME, B: B_NAME, C: C_NAME})
    paths = report.render_all(settings, PERIOD, pdf=True)
    folder = settings.reports_dir / PERIOD
    steering = folder / "steering_report.pdf"
    assert steering in paths
    assert not list(folder.rglob("*.tmp"))

    pages = _pages(steering)
    assert len(pages) > 1
    _numbered(pages)
    for text in pages:  # the running header: title with the period, and the marking
        assert "Ohjausraportti 2025-06" in text and STEERING_MARKING in text
    first = pages[0]
    assert "Ohjausraportti kesäkuu 2025" in first and "1.7.2024–30.6.2025" in first
    # a table row: the mostly healthy segment's clients, share and cost per client
    assert any("Pääosin terveet omahoito 900 90,0 % 333 €" in t for t in pages)
    # the inline SVG funnel is drawn: its axis label and a point's label are text in the PDF
    assert any("Parien määrä" in t and "Neljäs Terapia Oy" in t for t in pages)
    # the list of every file is a closed <details>: in print its summary only, as a browser
    # prints it; the HTML keeps the list
    text = " ".join(pages)
    assert re.search(r"Kaikki tarkastelujakson tiedostot \(\d+\): luettelo on raportin "
                     r"HTML-versiossa, ei tulosteessa", text)
    every = "Kaikki tarkastelujakson tiedostot: milloin kukin saapui"
    assert every not in text
    assert every in (folder / "steering_report.html").read_text("utf-8")

    for pid, name in ((A, A_NAME), (B, B_NAME), (C, C_NAME)):
        pdf = folder / "providers" / pid / "feedback.pdf"
        assert pdf in paths
        pages = _pages(pdf)
        _numbered(pages)
        for text in pages:
            assert f"Palaute {name} 2025-06" in text
            assert f"{FEEDBACK_MARKING} {name}" in text
        assert pid in pages[0]
    # a row of provider A's rows to fix (its own quarantined row), in its own feedback only
    row = ("2025-05 pohjola_events_2025-05.csv Palvelutapahtumat 42 EV-A-0042 cost_eur "
           "kustannus sallitun välin ulkopuolella Kustannus 2 500 000 € ylittää")
    assert row in " ".join(_pages(folder / "providers" / A / "feedback.pdf"))
    assert "EV-A-0042" not in " ".join(_pages(folder / "providers" / C / "feedback.pdf"))


def test_a_long_table_spans_pages_with_its_header_on_each_and_no_row_split(
        settings: Settings, tmp_path: Path):
    context = feedback_context(settings, PERIOD, A)
    assert context["rows_to_fix"]
    row = context["rows_to_fix"][0]
    reason = "Arvo puuttuu tai ei ole sallittu; korjatkaa rivi ja toimittakaa tiedosto uudelleen"
    context["rows_to_fix"] = [{**row, "record_id": f"REK-{i:03d}",
                               "reason": f"{reason} (loppu-{i:03d})"} for i in range(150)]
    html = environment(settings.templates_dir).get_template(
        "provider_feedback.html.j2").render(**context)
    page_html = tmp_path / "feedback.html"
    page_html.write_text(html, encoding="utf-8")
    pages = _pages(write_pdf(page_html))
    _numbered(pages)

    header = "Kuukausi Tiedosto Rivi Tunniste Sarake Sääntö Syy"
    holding = [t for t in pages if "REK-" in t]
    assert len(holding) >= 3  # the table runs over several pages
    for text in holding:
        assert header in text  # its header row repeated on each
    for i in range(150):  # every row whole on one page: its ID and its last cell together
        on = [p for p, t in enumerate(pages) if f"REK-{i:03d}" in t]
        assert len(on) == 1, i
        assert f"(loppu-{i:03d})" in pages[on[0]], i


@pytest.mark.parametrize("label, css", [
    ("sivu {page}/{pages}", '"sivu " counter(page) "/" counter(pages)'),
    ("page {page} of {pages}", '"page " counter(page) " of " counter(pages)'),
    ('"{page}"</style>', '"\\"" counter(page) "\\"\\3C /style>"'),
])
def test_the_page_label_becomes_css_content(label, css):
    assert str(css_content(label)) == css
