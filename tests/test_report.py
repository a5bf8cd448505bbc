"""The steering report and provider feedback (arvo/report.py, reports/templates/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arvo import report
from arvo.config import Settings

PERIOD = "2025-06"
A, A_NAME = "2358253-3", "Pohjolan hyvinvointialue, perusterveydenhuolto"
B, B_NAME = "3247652-1", "Lääkärikeskus Kaiku Oy"
C, C_NAME = "1394810-8", "Mielenterveyspalvelut Tyyni Oy"

MARTS = {
    "mart_segment_value": (
        "period varchar, segment_code varchar, segment_name_fi varchar, segment_name_en varchar,"
        " kaiser_level varchar, priority integer, clients bigint, client_share double,"
        " total_cost_eur double, cost_per_client_eur double, cost_share double,"
        " eq5d_pairs bigint, eq5d_baseline_mean double, eq5d_followup_mean double,"
        " eq5d_change_mean double, phq9_pairs bigint, phq9_baseline_mean double,"
        " phq9_change_mean double, value_ratio double"),
    "mart_provider_segment_value": (
        "period varchar, provider_id varchar, provider_name varchar, sector varchar,"
        " segment_code varchar, clients bigint, total_cost_eur double,"
        " cost_per_client_eur double, eq5d_pairs bigint, eq5d_change_mean double,"
        " peer_eq5d_change_mean double, phq9_pairs bigint, phq9_change_mean double,"
        " peer_phq9_change_mean double, value_ratio double"),
    "mart_provider_package_outcomes": (
        "period varchar, provider_id varchar, provider_name varchar, package_code varchar,"
        " instrument varchar, pairs bigint, baseline_mean double, followup_mean double,"
        " change_mean double, change_sd double, peer_pairs bigint, peer_change_mean double"),
    "mart_prom_compliance": (
        "period varchar, provider_id varchar, provider_name varchar, package_code varchar,"
        " instrument varchar, timepoint varchar, eligible_episodes bigint, collected bigint,"
        " rate double, min_rate double, meets_obligation boolean"),
    "mart_cost_concentration": (
        "period varchar, top_share double, clients_in_top bigint, clients_total bigint,"
        " cost_in_top_eur double, cost_total_eur double, cost_share double"),
    "mart_provider_data_quality": (
        "period varchar, provider_id varchar, provider_name varchar, month varchar,"
        " entity varchar, source_file varchar, status varchar, rows_in bigint,"
        " rows_accepted bigint, rows_quarantined bigint, message varchar, blank_lines bigint"),
    "mart_provider_unrecognised_items": (
        "period varchar, provider_id varchar, provider_name varchar, path varchar,"
        " kind varchar, message varchar, found_at timestamp"),
}

SEGMENTS = [
    # code, fi, en, kaiser, prio, clients, share, cost, cpc, cost_share,
    # eq5d_pairs, base, follow, change, phq9_pairs, phq9_base, phq9_change, value_ratio
    ("HNHC", "Paljon palveluja tarvitsevat", "High-need, high-cost",
     "intensive case management", 1, 3, 0.003, 150000.0, 50000.0, 0.2, 3, 0.41, 0.45, 0.04,
     0, None, None, 0.0008),
    ("FRAIL_ELDERLY", "Ikääntyneet, joilla on sosiaalipalvelujen tarvetta", "Older people",
     "care management", 2, 97, 0.097, 300000.0, 3092.78, 0.4, 40, 0.52, 0.55, 0.03, 0, None,
     None, 0.0097),
    ("MOSTLY_HEALTHY", "Pääosin terveet", "Mostly healthy", "self-management", 5, 900, 0.9,
     300000.0, 333.33, 0.4, 60, 0.85, 0.88, 0.03, 30, 12.0, -4.5, 0.09),
]

OUTCOMES = [
    (A, A_NAME, "DEPRESSION", "PHQ9", 40, 15.0, 9.0, -6.0, 4.0, 43, -4.0),
    (B, B_NAME, "DEPRESSION", "PHQ9", 3, 14.0, 12.0, -2.0, 3.0, 80, -5.1),
    (C, C_NAME, "DEPRESSION", "PHQ9", 40, 16.0, 14.0, -2.0, 4.0, 43, -5.0),
]

COMPLIANCE = [
    (A, A_NAME, "DEPRESSION", "PHQ9", "baseline", 50, 45, 0.9, 0.8, True),
    (A, A_NAME, "DEPRESSION", "PHQ9", "followup_6m", 40, 16, 0.4, 0.6, False),
    (B, B_NAME, "DEPRESSION", "PHQ9", "baseline", 4, 2, 0.5, 0.8, False),
    (C, C_NAME, "DEPRESSION", "PHQ9", "baseline", 30, 29, 29 / 30, 0.8, True),
]

CONCENTRATION = [
    (0.01, 10, 1000, 200000.0, 750000.0, 0.2667),
    (0.05, 50, 1000, 400000.0, 750000.0, 0.5333),
    (0.10, 100, 1000, 520000.0, 750000.0, 0.6933),
    (0.20, 200, 1000, 610000.0, 750000.0, 0.8133),
    (0.50, 500, 1000, 720000.0, 750000.0, 0.96),
]

DATA_QUALITY = [
    (A, A_NAME, "2025-05", "events", "pohjola_events_2025-05.csv", "partial", 100, 97, 3, None,
     2),
    (A, A_NAME, "2025-05", "proms", "pohjola_proms_2025-05.csv", "accepted", 20, 20, 0, None,
     0),
    (B, B_NAME, "2025-05", "events", "kaiku_tapahtumat_2025-05.csv", "partial", 50, 49, 1, None,
     0),
    (B, B_NAME, "2025-06", "episodes", "kaiku_jaksot_2025-06.csv", "rejected", 7, 0, 7,
     "Tiedostosta puuttuu pakollinen sarake package_code; the earlier submission of "
     "kaiku_jaksot_2025-06.csv (6 rows accepted) still stands", 0),
    (B, B_NAME, "2025-06", "episodes", "kaiku_jaksot_2025-06.csv", "standing", 6, 6, 0,
     "accepted on 2025-06-05; stands until a readable resubmission replaces it", 0),
    (C, C_NAME, "2025-06", "events", "tyyni_events_2025-06.csv", "accepted", 30, 30, 0, None,
     0),
]
UNRECOGNISED = [
    (A, A_NAME, "2025-13", "folder", "not a month: there is no month 13; month folders are "
     "named YYYY-MM", dt.datetime(2025, 7, 1, 3, 0)),
    (A, A_NAME, "2025-05/saate.txt", "file", "not a submission file and not read",
     dt.datetime(2025, 7, 1, 3, 0)),
]

A_QUARANTINE = {
    ("events", "2025-05"): [
        ("EV-A-0007", "pohjola_events_2025-05.csv", 7, "hetu_valid", "hetu",
         "Henkilötunnuksen tarkistusmerkki on virheellinen"),
        ("EV-A-0042", "pohjola_events_2025-05.csv", 42, "cost_in_range", "cost_eur",
         "Kustannus 2 500 000 € ylittää enimmäismäärän 1 000 000 €"),
        (None, "pohjola_events_2025-05.csv", 60, "required", "event_id", "event_id puuttuu"),
    ],
    ("proms", "2025-06"): [
        ("PR-A-0003", "pohjola_proms_2025-06.csv", 3, "item_range", "q4",
         "q4 = 7 ei ole välillä 0-3"),
    ],
    # a later month than the period: must not be listed
    ("events", "2025-07"): [
        ("EV-A-LATER", "pohjola_events_2025-07.csv", 1, "hetu_valid", "hetu", "myöhemmin"),
    ],
}
B_QUARANTINE = {
    ("events", "2025-05"): [
        ("EV-B-SECRET", "kaiku_tapahtumat_2025-05.csv", 12, "cost_in_range", "cost_eur",
         "Kustannus on negatiivinen"),
    ],
    ("episodes", "2025-06"): [
        ("EP-B-0001", "kaiku_jaksot_2025-06.csv", 1, "file_readable", "package_code",
         "Tiedostosta puuttuu pakollinen sarake package_code"),
    ],
}


def _settings(tmp_path: Path) -> Settings:
    home = tmp_path / "var"
    return Settings(
        home=home, raw_dir=home / "raw", lake_dir=home / "lake",
        quarantine_dir=home / "quarantine", warehouse=home / "warehouse" / "arvo.duckdb",
        reports_dir=home / "reports", compiled_definitions_dir=home / "definitions",
    )


def _write_quarantine(root: Path, provider_id: str, parts: dict) -> None:
    for (entity, month), rows in parts.items():
        folder = root / entity / f"provider_id={provider_id}" / f"month={month}"
        folder.mkdir(parents=True)
        cols = list(zip(*rows, strict=True))
        table = pa.table({
            "record_id": pa.array(cols[0], pa.string()),
            "source_file": pa.array(cols[1], pa.string()),
            "source_row": pa.array(cols[2], pa.int64()),
            "rule": pa.array(cols[3], pa.string()),
            "column_name": pa.array(cols[4], pa.string()),
            "reason": pa.array(cols[5], pa.string()),
            "issues": pa.array(cols[5], pa.string()),
            "row_values": pa.array(['{"event_id": "x", "cost_eur": "SECRET-ROW-VALUE"}']
                                   * len(rows), pa.string()),
        })
        pq.write_table(table, folder / "data.parquet")


def _build(settings: Settings, *, empty: bool = False) -> None:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse))
    for name, cols in MARTS.items():
        con.execute(f"create table {name} ({cols})")
    if not empty:
        data = {
            "mart_segment_value": SEGMENTS, "mart_provider_package_outcomes": OUTCOMES,
            "mart_prom_compliance": COMPLIANCE, "mart_cost_concentration": CONCENTRATION,
            "mart_provider_data_quality": DATA_QUALITY,
            "mart_provider_unrecognised_items": UNRECOGNISED,
        }
        for name, rows in data.items():
            marks = ", ".join(["?"] * (len(rows[0]) + 1))
            con.executemany(f"insert into {name} values ({marks})",
                            [(PERIOD, *r) for r in rows])
        # another period must not leak in
        con.execute("insert into mart_segment_value (period, segment_code, segment_name_fi,"
                    " segment_name_en, kaiser_level, priority, clients)"
                    " values ('2024-06', 'OLD', 'Vanha kausi', 'Old', 'x', 9, 55555)")
    con.close()
    _write_quarantine(settings.quarantine_dir, A, A_QUARANTINE)
    _write_quarantine(settings.quarantine_dir, B, B_QUARANTINE)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    s = _settings(tmp_path)
    _build(s)
    return s


def _all_record_ids(parts: dict) -> set[str]:
    return {r[0] for rows in parts.values() for r in rows if r[0]}


# --------------------------------------------------------------------------- formatting

def test_finnish_number_formatting():
    assert report.fi_number(1234567.891) == "1 234 567,89"
    assert report.fi_number(-0.001) == "0,00"
    assert report.fi_number(None) == "–"
    assert report.fi_int(1234567.5) == "1 234 568"
    assert report.fi_eur(3092.78) == "3 093 €"
    assert report.fi_eur(1234.5, 2) == "1 234,50 €"
    assert report.fi_pct(0.1234) == "12,3 %"
    assert report.fi_signed(0.0521, 3) == "+0,052"
    assert report.fi_signed(-4.5, 1) == "-4,5"
    assert report.fi_pp(-0.2) == "-20,0 %-yks."
    assert "&lt;5" in str(report.fi_number(report.SUPPRESSED))


def test_suppress_is_the_small_cell_rule():
    assert report.suppress(0.42, 3) is report.SUPPRESSED
    assert report.suppress(0.42, 5) == 0.42
    assert report.suppress(0.42, 100, 4) is report.SUPPRESSED
    assert report.suppress(None, 0) is None  # zero discloses nothing
    assert report.suppress(7, None) == 7


def test_window_covers_twelve_months():
    w = report.window("2025-06")
    assert w.months[0] == "2024-07" and w.months[-1] == "2025-06" and len(w.months) == 12
    assert str(w.end) == "2025-06-30"
    with pytest.raises(ValueError):
        report.window("2025-13")


# --------------------------------------------------------------------------- steering report

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
    # the footer states the rule
    assert "Pienten lukujen peittäminen" in html and "arvo.report.suppress" in html
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
    for rid in _all_record_ids(A_QUARANTINE) | _all_record_ids(B_QUARANTINE):
        assert rid not in html
    for row in DATA_QUALITY:
        assert row[4] not in html
    assert "puuttuu pakollinen sarake" not in html
    assert "SECRET-ROW-VALUE" not in html
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html


def test_steering_report_with_empty_marts(tmp_path: Path):
    s = _settings(tmp_path)
    _build(s, empty=True)
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "ei ole vielä tietoja" in html


def test_steering_report_without_warehouse(tmp_path: Path):
    s = _settings(tmp_path)
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "ei ole vielä tietoja" in html


# --------------------------------------------------------------------------- provider feedback

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
    for rid in _all_record_ids(B_QUARANTINE):
        assert rid not in html
    assert B_NAME not in html
    for row in DATA_QUALITY:
        if row[0] != A:
            assert row[4] not in html
    assert "pohjola_events_2025-05.csv" in html
    assert "SECRET-ROW-VALUE" not in html
    # own outcome shown, peers as aggregates
    assert "-6,0" in html and "-4,0" in html
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
    # B's own 4 eligible episodes are its own data: not suppressed for B
    assert fb.failing_obligations == 1


def test_provider_without_quarantine_has_nothing_to_fix(settings: Settings):
    fb = report.render_provider_feedback(settings, PERIOD, C)
    html = fb.html_path.read_text(encoding="utf-8")
    assert fb.rows_to_fix == 0 and fb.failing_obligations == 0
    assert "Ei korjattavia rivejä" in html
    assert "Kaikki PROM-keruuvelvoitteet täyttyvät" in html
    text = fb.csv_path.read_text(encoding="utf-8-sig")
    assert text.strip() == ";".join(report.CSV_COLUMNS)


def test_provider_feedback_without_any_data(tmp_path: Path):
    s = _settings(tmp_path)
    fb = report.render_provider_feedback(s, PERIOD, A)
    html = fb.html_path.read_text(encoding="utf-8")
    assert fb.rows_to_fix == 0 and "Ei korjattavia rivejä" in html
    assert "ei ole vielä käsiteltyjä toimituksia" in html


def test_provider_id_cannot_escape_reports_dir(settings: Settings):
    with pytest.raises(ValueError):
        report.render_provider_feedback(settings, PERIOD, "../etc")


# --------------------------------------------------------------------------- all

def test_render_all_writes_index(settings: Settings):
    paths = report.render_all(settings, PERIOD)
    index = settings.reports_dir / PERIOD / "index.html"
    assert index in paths
    assert settings.reports_dir / PERIOD / "steering_report.html" in paths
    for pid in (A, B, C):
        assert settings.reports_dir / PERIOD / "providers" / pid / "feedback.html" in paths
    html = index.read_text(encoding="utf-8")
    assert 'href="steering_report.html"' in html
    assert f'href="providers/{A}/feedback.html"' in html
    assert all(p.exists() for p in paths)


def test_decimal_columns_are_read_as_numbers(tmp_path: Path):
    s = _settings(tmp_path)
    _build(s)
    con = duckdb.connect(str(s.warehouse))
    con.execute("alter table mart_provider_package_outcomes"
                " alter change_sd type decimal(10, 3)")
    con.execute("alter table mart_provider_package_outcomes"
                " alter change_mean type decimal(10, 3)")
    con.close()
    html = report.render_steering_report(s, PERIOD).read_text(encoding="utf-8")
    assert "-6,0" in html and "parempi kuin vertailu" in html
