"""A hand-made period of marts (2025-06) for the reports' view tests: three providers,
small cells to suppress, a failing obligation, rejected and standing files, and rows to fix.

Tables are typed by the marts' contracts (tests/report/marts.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from arvo.config import Settings
from tests.report import marts

PERIOD = "2025-06"
A, A_NAME = "2358253-3", "Pohjolan hyvinvointialue, perusterveydenhuolto"
B, B_NAME = "3247652-1", "Lääkärikeskus Kaiku Oy"
C, C_NAME = "1394810-8", "Mielenterveyspalvelut Tyyni Oy"

SEGMENTS = [
    # mart_segment_value: code, fi, en, kaiser, prio, clients, share, cost, cpc, cost_share;
    # mart_segment_outcomes, EQ-5D-5L: pairs, base, follow, change; PHQ-9: pairs, base,
    # change; EQ-5D-5L mid_improved, mid_share; PHQ-9 mid_improved, mid_share
    ("HNHC", "Paljon palveluja tarvitsevat", "High-need, high-cost",
     "intensive case management", 1, 3, 0.003, 150000.0, 50000.0, 0.2, 3, 0.41, 0.45, 0.04,
     0, None, None, 2, 2 / 3, 0, None),
    # 38 of 40 reach the MID: the 2 who do not would show, so the share is hidden
    ("FRAIL_ELDERLY", "Ikääntyneet, joilla on sosiaalipalvelujen tarvetta", "Older people",
     "care management", 2, 97, 0.097, 300000.0, 3092.78, 0.4, 40, 0.52, 0.55, 0.03, 0, None,
     None, 38, 0.95, 0, None),
    ("MOSTLY_HEALTHY", "Pääosin terveet", "Mostly healthy", "self-management", 5, 900, 0.9,
     300000.0, 333.33, 0.4, 60, 0.85, 0.88, 0.03, 30, 12.0, -4.5, 24, 0.4, 12, 0.4),
]

VALUE_COSTS = [
    # provider, name, package, episodes, clients, total, per episode, per client
    (A, A_NAME, "DEPRESSION", 45, 42, 54000.0, 1200.0, 54000 / 42),
    (B, B_NAME, "DEPRESSION", 4, 4, 4000.0, 1000.0, 1000.0),
    (C, C_NAME, "DEPRESSION", 44, 40, 33000.0, 750.0, 825.0),
]
_TT = {"reliable_change": 6.0, "caseness_threshold": 10.0}
VALUE_GAINS = [
    # A: PHQ-9 gain 6 at 1,200 per episode = 200 per point; 30 of 40 reach the MID (75 %),
    # 26 improve reliably (65 %), 18 of 36 cases recover (50 %)
    dict(instrument="PHQ9", provider_id=A, provider_name=A_NAME, pairs=40, paired_clients=40,
         gain_mean=6.0, episodes=45, clients=42, cost_per_episode_eur=1200.0,
         cost_per_gain_eur=200.0, mid_improved=30, mid_share=0.75, reliable_improved=26,
         reliable_improvement_rate=0.65, caseness_pairs=36, recovered=18, recovery_rate=0.5,
         **_TT),
    # A: EQ-5D-5L index gain 0.05 over a year: 24,000 per QALY
    dict(instrument="EQ5D5L", provider_id=A, provider_name=A_NAME, pairs=38,
         paired_clients=38, gain_mean=0.05, episodes=45, clients=42,
         cost_per_episode_eur=1200.0, cost_per_gain_eur=24000.0, qalys_per_episode=0.05,
         cost_per_qaly_eur=24000.0, qaly_gain_years=1.0, mid_improved=19, mid_share=0.5),
    # B: 3 pairs, 4 episodes: everything hidden
    dict(instrument="PHQ9", provider_id=B, provider_name=B_NAME, pairs=3, paired_clients=3,
         gain_mean=-2.5, episodes=4, clients=4, cost_per_episode_eur=1000.0,
         cost_per_gain_reason="no_gain", mid_improved=1, mid_share=1 / 3, reliable_improved=0,
         reliable_improvement_rate=0.0, caseness_pairs=3, recovered=1, recovery_rate=1 / 3,
         **_TT),
    # C: worse on average: no cost per unit of gain; 3 reach the MID (hidden), 36 of 38
    # cases recover (the 2 who do not would show: hidden)
    dict(instrument="PHQ9", provider_id=C, provider_name=C_NAME, pairs=40, paired_clients=39,
         gain_mean=-0.5, episodes=44, clients=40, cost_per_episode_eur=750.0,
         cost_per_gain_reason="no_gain", mid_improved=3, mid_share=3 / 40,
         reliable_improved=10, reliable_improvement_rate=0.25, caseness_pairs=38,
         recovered=36, recovery_rate=36 / 38, **_TT),
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


D, D_NAME = "2000001-9", "Neljäs Terapia Oy"  # only in the funnel: an anonymous point

THETA, RESIDUAL_SD, MIN_PAIRS = 11.0, 4.0, 30
FUNNEL = [
    # provider, name, pairs, observed, expected, flag, direction, unadjusted flag, direction
    (A, A_NAME, 40, 9.0, 10.8, "alert", "better", "none", "as_expected"),
    (B, B_NAME, 3, 12.0, 11.5, "too_few_pairs", None, "too_few_pairs", None),
    (C, C_NAME, 40, 14.0, 11.0, "alarm", "worse", "alarm", "worse"),
    (D, D_NAME, 60, 11.2, 11.1, "none", "as_expected", "none", "as_expected"),
]
"""DEPRESSION x PHQ-9 (lower is better): A better (alert; as expected unadjusted), C worse
(alarm), B too few pairs (and a small cell), D as expected."""


def funnel_row(provider_id: str, name: str, pairs: int, observed: float, expected: float,
               flag: str, direction: str | None, unadjusted_flag: str,
               unadjusted_direction: str | None, period: str = PERIOD) -> dict[str, Any]:
    """A mart_provider_funnel row of DEPRESSION x PHQ-9 (no overdispersion)."""
    se = RESIDUAL_SD / pairs ** 0.5
    meta = marts.prom_measures()["PHQ9"]
    return {
        "period": period, "provider_id": provider_id, "provider_name": name,
        "package_code": "DEPRESSION", "instrument": "PHQ9", "measure": meta["measure"],
        "is_primary": True, "pairs": pairs, "baseline_mean": 16.0, "observed": observed,
        "expected": expected, "adjusted": THETA + observed - expected,
        "adjusted_gain": THETA + observed - expected - 16.0, "population_baseline_mean": 16.0,
        "population_mean": THETA, "se": se, "lower95": THETA - 1.96 * se,
        "upper95": THETA + 1.96 * se, "overdispersion": "none", "tau2": 0.0,
        "inflation": 1.0, "flag": flag, "direction": direction,
        "unadjusted_flag": unadjusted_flag, "unadjusted_direction": unadjusted_direction,
        "model_pairs": 143, "r_squared": 0.41, "residual_sd": RESIDUAL_SD,
        "min_pairs": MIN_PAIRS, "instrument_label": meta["instrument_label"],
        "measure_label": meta["measure_label"], "higher_is_better": meta["higher_is_better"],
        "decimals": meta["decimals"]}


MODEL = {"period": PERIOD, "package_code": "DEPRESSION", "instrument": "PHQ9",
         "measure": "phq9_total", "is_primary": True, "followups": 150, "pairs": 143,
         "left_out_no_baseline": 7, "providers": 4, "parameters": 5, "r_squared": 0.41,
         "residual_sd": RESIDUAL_SD, "factors_used": "age_band, sex",
         "factors_dropped": "social_care: one value only; disability: fewer than 10 pairs "
                            "per parameter", "instrument_label": "PHQ-9",
         "measure_label": "PHQ-9 total"}
EARLIER = "2025-03"
"""An earlier period of the funnel mart, for the trends."""


def _rows(columns: str, rows: list[tuple]) -> list[dict[str, Any]]:
    names = columns.split()
    return [{"period": PERIOD, **dict(zip(names, r, strict=True))} for r in rows]


def _fix(provider_id: str, parts: dict) -> list[dict[str, Any]]:
    """Rows to fix as mart_provider_rows_to_fix holds them: months up to the period only."""
    return [{"period": PERIOD, "provider_id": provider_id, "month": month, "entity": entity,
             "record_id": r[0], "source_file": r[1], "source_row": r[2], "rule": r[3],
             "column_name": r[4], "reason": r[5]}
            for (entity, month), rows in parts.items() if month <= PERIOD for r in rows]


TABLES = {
    "mart_segment_value": _rows(
        "segment_code segment_name_fi segment_name_en kaiser_level priority clients "
        "client_share total_cost_eur cost_per_client_eur cost_share",
        [s[:10] for s in SEGMENTS]),
    "mart_segment_outcomes": [
        marts.outcome(inst, value_set=vs, scale=True, period=PERIOD, segment_code=s[0],
                      priority=s[4], **dict(zip(
                          ("pairs", "baseline_mean", "followup_mean", "change_mean",
                           "mid_improved", "mid_share"), cells, strict=True)))
        for s in SEGMENTS for inst, vs, cells in (
            ("EQ5D5L", "England", (*s[10:14], s[17], s[18])),
            ("PHQ9", None, (s[14], s[15], None, s[16], s[19], s[20])))],
    "mart_provider_value": _rows(
        "provider_id provider_name package_code episodes clients total_cost_eur "
        "cost_per_episode_eur cost_per_client_eur", VALUE_COSTS),
    "mart_provider_measure_value": [
        marts.outcome(g.pop("instrument"), period=PERIOD, package_code="DEPRESSION", **g)
        for g in (dict(g) for g in VALUE_GAINS)],
    "mart_provider_package_outcomes": [
        marts.outcome(inst, period=PERIOD, provider_id=pid, provider_name=name,
                      package_code=pkg, pairs=n, baseline_mean=b, followup_mean=f,
                      change_mean=c, change_sd=sd, peer_pairs=pn, peer_change_mean=pc)
        for pid, name, pkg, inst, n, b, f, c, sd, pn, pc in OUTCOMES],
    "mart_prom_compliance": _rows(
        "provider_id provider_name package_code instrument timepoint eligible_episodes "
        "collected rate min_rate meets_obligation", COMPLIANCE),
    "mart_cost_concentration": _rows(
        "top_share clients_in_top clients_total cost_in_top_eur cost_total_eur cost_share",
        CONCENTRATION),
    "mart_provider_data_quality": _rows(
        "provider_id provider_name month entity source_file status rows_in rows_accepted "
        "rows_quarantined message blank_lines", DATA_QUALITY),
    "mart_provider_unrecognised_items": _rows(
        "provider_id provider_name path kind message found_at", UNRECOGNISED),
    "mart_provider_rows_to_fix": _fix(A, A_QUARANTINE) + _fix(B, B_QUARANTINE),
    "mart_provider_funnel": [funnel_row(*r) for r in FUNNEL] + [
        funnel_row(A, A_NAME, 35, 10.0, 10.6, "none", "as_expected", "none", "as_expected",
                   period=EARLIER),
        funnel_row(C, C_NAME, 38, 12.0, 11.0, "alert", "worse", "alert", "worse",
                   period=EARLIER)],
    "mart_case_mix_models": [MODEL],
}
# another period must not leak in
OLD_PERIOD = {"period": "2024-06", "segment_code": "OLD", "segment_name_fi": "Vanha kausi",
              "segment_name_en": "Old", "kaiser_level": "x", "priority": 9, "clients": 55555}


def build(tmp_path: Path, *, empty: bool = False) -> Settings:
    """The hand-made warehouse (empty: every mart, no rows)."""
    settings = marts.settings(tmp_path)
    if empty:
        return marts.warehouse(settings, {})
    tables = {**TABLES, "mart_segment_value": [*TABLES["mart_segment_value"], OLD_PERIOD]}
    return marts.warehouse(settings, tables)


def all_record_ids(parts: dict) -> set[str]:
    return {r[0] for rows in parts.values() for r in rows if r[0]}
