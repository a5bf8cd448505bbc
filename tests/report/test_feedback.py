"""One provider's feedback (arvo/report/feedback.py, provider_feedback.html.j2)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from arvo import report
from arvo.config import Settings
from tests.report import marts
from tests.report.handmade import (
    A_NAME,
    A_QUARANTINE,
    B_NAME,
    B_QUARANTINE,
    DATA_QUALITY,
    EARLIER,
    PERIOD,
    A,
    B,
    C,
    all_record_ids,
)


def test_feedback_names_failing_obligation_and_own_rows_only(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, A)
    out_dir = settings.reports_dir / PERIOD / "providers" / A
    assert fb.html_path == out_dir / "feedback.html"
    assert fb.csv_path == out_dir / "rows_to_fix.csv"
    assert fb.failing_obligations == 1
    assert fb.rows_to_fix == 4
    html = fb.html_path.read_text(encoding="utf-8")
    top = html.split("Yhteenveto")[0]
    assert "Velvoite ei täyty" in top and "6 kk seuranta" in top and "40 %" in top
    assert "-20,0 %-yks." in html and "8 vastausta lisää" in html
    for rid in ("EV-A-0007", "EV-A-0042", "PR-A-0003"):
        assert rid in html
    assert "EV-A-LATER" not in html  # month after the period
    for rid in all_record_ids(B_QUARANTINE):
        assert rid not in html
    assert B_NAME not in html
    for row in DATA_QUALITY:
        if row[0] != A:
            assert row[4] not in html
    assert "pohjola_events_2025-05.csv" in html
    assert "SECRET-ROW-VALUE" not in html
    # the feedback opens with its own verdict, before the obligations
    assert html.index("Tuloksenne") < html.index("Velvoite ei täyty")
    assert "odotettua parempi (varoitus)" in html and "Mitä tehdä:" in html
    assert "vakioitu tulos 9,2" in html and "tavoite 11,0" in html
    # what its folder holds that is not read is listed, with what the name should be
    assert "2025-13" in html and "no month 13" in html and "2025-05/saate.txt" in html
    assert "Lukematta jääneet" in html and "Aiemmat tiedot ovat voimassa" not in html


def test_feedback_says_earlier_data_stands(settings: Settings):
    html = report.render_provider_feedback(settings, PERIOD, B).html_path.read_text("utf-8")
    assert "Aiemmat tiedot ovat voimassa" in html
    assert "2025-06 kaiku_jaksot_2025-06.csv (6 riviä)" in html
    assert "still stands" in html
    assert "2025-13" not in html and "saate.txt" not in html  # another provider's folder


def test_rows_to_fix_csv(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, A)
    raw = fb.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(report.CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    expected = [(m, e, r[1], str(r[2]), r[0] or "", r[4], r[3], r[5])
                for (e, m), rs in A_QUARANTINE.items() if m <= PERIOD for r in rs]
    got = [tuple(r[c] for c in report.CSV_COLUMNS) for r in rows]
    assert sorted(got) == sorted(expected)
    assert len(rows) == fb.rows_to_fix
    assert "SECRET-ROW-VALUE" not in text and "EV-B" not in text and "EP-B" not in text
    assert "kaiku" not in text


def test_provider_b_sees_rejected_file_and_not_a(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, B)
    html = fb.html_path.read_text(encoding="utf-8")
    assert "puuttuu pakollinen sarake package_code" in html and "hylätty" in html
    assert "EV-B-SECRET" in html
    assert "EV-A-0007" not in html and "pohjola" not in html and A_NAME not in html
    # B's own 4 eligible episodes are its own data: not suppressed for B; the count of
    # the commissioner's index leaves that obligation out, as the steering report does
    assert "PROM-keruuvelvoite jää täyttymättä 1 kohdassa" in html
    assert fb.failing_obligations == 0


def test_provider_without_quarantine_has_nothing_to_fix(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, C)
    html = fb.html_path.read_text(encoding="utf-8")
    assert fb.rows_to_fix == 0 and fb.failing_obligations == 0
    assert "Ei korjattavia rivejä" in html
    assert "Kaikki PROM-keruuvelvoitteet täyttyvät" in html
    text = fb.csv_path.read_text(encoding="utf-8-sig")
    assert text.strip() == ";".join(report.CSV_COLUMNS)


def test_provider_feedback_without_any_data(tmp_path: Path):
    s = marts.settings(tmp_path)
    fb = report.render_provider_feedback(s, PERIOD, A)
    html = fb.html_path.read_text(encoding="utf-8")
    assert fb.rows_to_fix == 0 and "Ei korjattavia rivejä" in html
    assert "ei ole vielä käsiteltyjä toimituksia" in html


def test_provider_id_cannot_escape_reports_dir(settings: Settings):
    with pytest.raises(ValueError):
        report.render_provider_feedback(settings, PERIOD, "../etc")


# ----------------------------------------------------------- from the tiny lake, through dbt

def test_rows_to_fix_and_what_changed_come_from_the_mart(tiny_warehouse, fixed_time):
    from tests.dbt_project.tiny_lake import P1, P2

    settings = tiny_warehouse["settings"]
    ctx = report.feedback_context(settings, "2025-01", P1)
    assert [(r["record_id"], r["month"], r["rule"]) for r in ctx["all_rows_to_fix"]] == [
        ("E-X1", "2025-01", "hetu_valid")]
    ch = ctx["changes"]
    assert ch["previous"] == "2024-12"
    assert ch["rows"] == {"new": 1, "resolved": 1, "persisting": 0}
    rules = {r["rule"]: r for r in ch["rules"]}
    assert rules["cost_in_range"]["resolved"] == 1 and rules["hetu_valid"]["new"] == 1
    # P2's unreadable file is still to fix: four lines, persisting
    fb = report.render_provider_feedback(settings, "2025-01", P2)
    assert fb.rows_to_fix == 4
    p2 = report.feedback_context(settings, "2025-01", P2)["changes"]
    assert p2["rows"] == {"new": 0, "resolved": 0, "persisting": 4}
    text = fb.csv_path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["source_row"] for r in rows] == ["1", "2", "3", "4"]
    assert {r["rule"] for r in rows} == {"file_readable"} and rows[0]["record_id"] == ""
    assert "cost_eur" not in text.split("\n", 1)[1] and "-5" not in text  # no row values


def test_feedback_funnel_shows_only_the_provider_itself(settings: Settings):
    from tests.report.handmade import C_NAME, D_NAME, D

    html = report.render_provider_feedback(settings, PERIOD, A).html_path.read_text("utf-8")
    chart = html.split("<figure")[1].split("</figure>")[0]
    assert ">Te: odotettua parempi (varoitus)</text>" in chart
    points = re.findall(r"<g>(.*?)</g>", chart, flags=re.S)
    assert len(points) == 3  # itself, C and D; B's 3 pairs are not plotted
    assert [p for p in points if "<text" in p] == [p for p in points if "Te:" in p] != []
    for pid, name in ((B, B_NAME), (C, C_NAME), (D, D_NAME)):
        assert pid not in html and name not in html
    assert "Kertokaa toimintatavoistanne" in html  # better: share practice


@pytest.mark.parametrize("provider, verdict, advice", [
    (C, "odotettua heikompi (hälytys)", "Käykää hoitopolku läpi"),
    (B, "liian vähän pareja arvioon", "Keräkää lähtötason ja seurannan mittaukset"),
])
def test_feedback_says_what_to_do(settings: Settings, provider, verdict, advice):
    html = report.render_provider_feedback(settings, PERIOD, provider).html_path.read_text(
        "utf-8")
    top = html.split('id="tulos"')[1].split("</section>")[0]
    assert verdict in top and advice in top
    if provider == B:  # its own 3 pairs are its own data: shown to it
        assert "Teillä on 3 paria; arvio tehdään vähintään 30 parista" in top


def test_feedback_trends_show_the_own_adjusted_score_where_peers_were_enough(settings):
    """The trend needs every provider's rows to know in which periods the own adjusted
    score would give a lone peer's result away: in 2025-03 A had one peer (C), hidden;
    in the period three, shown (11.0 + 9.0 - 10.8 = 9.2)."""
    from arvo.report.feedback import feedback_context

    (trend,) = feedback_context(settings, PERIOD, A)["trends"]
    (own,) = trend["providers"]
    assert own["cells"][PERIOD]["adjusted"] == pytest.approx(9.2)
    assert own["cells"][EARLIER]["adjusted"] is None and own["cells"][EARLIER]["pairs"] == 35
