"""mart_objective_attainment on the tiny lake (tests/dbt_project/tiny_lake.py), built
through dbt for 2024-12 and 2025-01 by the session's `tiny_warehouse`, with the shipped
definitions/objectives.yml. Worked by hand:

PUBLIC_BASELINE (public providers' EQ-5D-5L baseline participation at least 0.80, near
0.05, min_n 5, from 2024-01). The public providers' episodes whose EQ-5D baseline window
closed in the window: P1's EP-K1 (baseline 2024-02-01), EP-H1 (2024-05-01) and EP-D1
(2024-04-10), P3's EP-A1 (2024-03-05; A's episode is also bound by the HNHC segment
obligation: one window, counted once) and EP-I1 (2024-10-02), all with a response, and
P3's EP-B1 without one: 5 of 6 windows of 6 clients = 0.8333, met (margin +0.0333).
Wilson 95 %: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) with n = 6,
p = 5/6, z = 1.96: 0.4365 .. 0.9699. P1 (3 of 3) and P3 (2 of 3) have 3 clients each:
not measurable (fewer than 5 clients), their figures kept for the warehouse only; the
public providers without episodes (P4, the central hospital) have no data. 2025-01's
window (2024-02 .. 2025-01) holds the same six windows: 5 of 6 again, and its trend
points to 2024-12's 0.8333.

DEP_RECOVERY (PHQ-9 recovery at least 0.5 in DEPRESSION, from 2025-01): in 2024-12
P2's two PHQ-9 pairs (C and J: mean 17.5 at baseline, 5.5 at follow-up) were both at
caseness (10 or more) and both below it at follow-up, 2 of 2, but the period is before
2025-01: not measurable, before_applies_from; in 2025-01 the same 2 of 2 rest on
2 clients: too_few_clients.
"""

from __future__ import annotations

import math

import duckdb
import pytest

from tests.dbt_project.tiny_lake import P1, P2, P3

approx = pytest.approx
P4 = "1303819-8"  # Pohjolan sosiaalipalvelut (public), no episodes
CENTRAL = "1632707-5"  # Pohjolan keskussairaala (public), no episodes


def _rows(tiny_warehouse, code: str) -> dict[tuple[str, str, str], dict]:
    with duckdb.connect(str(tiny_warehouse["settings"].warehouse), read_only=True) as con:
        cur = con.execute("select * from mart_objective_attainment where objective_code = ?",
                          [code])
        names = [d[0] for d in cur.description]
        found = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {(r["period"], r["scope_type"], r["scope_id"]): r for r in found}


def _wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_public_baseline_participation_worked_by_hand(tiny_warehouse):
    rows = _rows(tiny_warehouse, "PUBLIC_BASELINE")
    sector = rows[("2024-12", "sector", "public")]
    assert (sector["n"], sector["successes"], sector["clients"]) == (6, 5, 6)
    assert sector["value"] == approx(5 / 6)
    assert (sector["ci_lower"], sector["ci_upper"]) == approx((0.4365, 0.9699), abs=1e-4)
    assert (sector["ci_lower"], sector["ci_upper"]) == approx(_wilson(5, 6))
    assert sector["target"] == 0.8 and sector["margin"] == approx(5 / 6 - 0.8, abs=1e-9)
    assert (sector["status"], sector["met"], sector["reason"]) == ("met", True, None)
    assert sector["previous_period"] is None and sector["provider_id"] is None

    p1, p3 = rows[("2024-12", "provider", P1)], rows[("2024-12", "provider", P3)]
    assert (p1["n"], p1["successes"], p1["clients"], p1["value"]) == (3, 3, 3, 1.0)
    assert (p3["n"], p3["successes"], p3["value"]) == (3, 2, approx(2 / 3))
    for r in (p1, p3):
        assert (r["status"], r["met"], r["reason"]) == ("not_measurable", False,
                                                       "too_few_clients")
        assert r["margin"] is None and r["provider_id"] == r["scope_id"]
    for pid in (P4, CENTRAL):  # every public provider has a row
        assert rows[("2024-12", "provider", pid)]["reason"] == "no_data"
    assert ("2024-12", "provider", P2) not in rows  # P2 is private

    later = rows[("2025-01", "sector", "public")]
    assert (later["n"], later["successes"], later["status"]) == (6, 5, "met")
    assert (later["previous_period"], later["previous_status"]) == ("2024-12", "met")
    assert later["previous_value"] == approx(5 / 6)
    assert later["previous_year_value"] is None  # 2024-01 was never built


def test_recovery_before_it_applies_and_on_too_few_clients(tiny_warehouse):
    rows = _rows(tiny_warehouse, "DEP_RECOVERY")
    before = rows[("2024-12", "provider", P2)]
    assert (before["n"], before["successes"], before["value"]) == (2, 2, 1.0)
    assert (before["status"], before["reason"]) == ("not_measurable", "before_applies_from")
    package = rows[("2025-01", "package", "DEPRESSION")]
    assert (package["status"], package["reason"]) == ("not_measurable", "too_few_clients")
    assert package["target"] == 0.5 and package["met"] is False


def test_previous_year_target_without_a_year_of_history(tiny_warehouse):
    rows = _rows(tiny_warehouse, "HNHC_EQ5D_GAIN")
    segment = rows[("2025-01", "segment", "HNHC")]
    assert segment["target_kind"] == "previous_year" and segment["target"] is None
    assert segment["status"] == "not_measurable"
    assert segment["reason"] in ("no_data", "too_few_clients")  # checked before the target
