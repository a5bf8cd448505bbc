"""Segment obligations on the tiny hand-made lake: exact compliance values.

The shipped definitions plus three segment entries (tests/dbt_project/tiny_lake.py's
clients and their segments in 2024-12):

- SINGLE_CHRONIC, all sectors: EQ-5D-5L and PHQ-9 (PHQ-9 is no instrument of the hip and
  diabetes packages: a segment obligation may name any), baseline -14..14 days, 6-month
  follow-up 182 +- 30. Binds H's hip replacement (EP-H1) and D's diabetes episode (EP-D1)
  at P1 (public).
- SINGLE_CHRONIC, private sector: PHQ-9 only, baseline -14..30, rates 0.7 / 0.5. Replaces
  the `all` entry for P2 (private): J's depression episode (EP-J1) is checked for PHQ-9 only.
- FRAIL_ELDERLY, all sectors: EQ-5D-5L baseline -14..30. In 2024-12 it binds B's home care
  (EP-B1, no response); in 2025-01 client I (75 on 2025-01-10) is in the segment too, and
  I's home care episode (EP-I1, baseline 2024-10-02) is bound from that period on.
"""

from __future__ import annotations

import pytest

from arvo import transform
from tests.conftest import first_version_copy
from tests.dbt_project import tiny_lake
from tests.dbt_project.test_build import make_settings, query
from tests.dbt_project.tiny_lake import P1, P2, P3

SEGMENT_OBLIGATIONS = """
  - segment: SINGLE_CHRONIC
    instruments: [EQ5D5L, PHQ9]
    baseline: {from_days: -14, to_days: 14}
    followups:
      - {timepoint: followup_6m, at_days: 182, tolerance_days: 30}
    min_baseline_rate: 0.80
    min_followup_rate: 0.60
  - segment: SINGLE_CHRONIC
    sector: private
    instruments: [PHQ9]
    baseline: {from_days: -14, to_days: 30}
    followups:
      - {timepoint: followup_6m, at_days: 182, tolerance_days: 30}
    min_baseline_rate: 0.70
    min_followup_rate: 0.50
  - segment: FRAIL_ELDERLY
    instruments: [EQ5D5L]
    baseline: {from_days: -14, to_days: 30}
    min_baseline_rate: 0.80
    min_followup_rate: 0.60
"""
KEY = ("provider_id", "scope", "scope_code", "instrument", "timepoint")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("arvo-segments")
    defs = home / "definitions-source"
    first_version_copy(defs)
    path = defs / "obligations.yml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + SEGMENT_OBLIGATIONS,
                    encoding="utf-8")
    settings = make_settings(home).model_copy(update={"definitions_dir": defs})
    tiny_lake.write(settings.lake_dir)
    for period in ("2024-12", "2025-01"):
        result = transform.build(settings, period)
        assert result.success and result.failures == ()
    return settings


def compliance(settings, period="2024-12"):
    found = query(settings, f"select * from mart_prom_compliance where period = '{period}'")
    return {tuple(r[k] for k in KEY): r for r in found}


def test_segment_obligation_exact_values(built):
    pc = compliance(built)
    seg = {k: r for k, r in pc.items() if k[1] == "segment"}
    got = {k: (r["eligible_episodes"], r["collected"], r["rate"], r["meets_obligation"])
           for k, r in seg.items()}
    assert got == {
        # H (baseline 2024-05-01 of two, follow-up 2024-11-05) and D (2024-04-10,
        # 2024-10-05): both collected and paired
        (P1, "segment", "SINGLE_CHRONIC", "EQ5D5L", "baseline"): (2, 2, 1.0, True),
        (P1, "segment", "SINGLE_CHRONIC", "EQ5D5L", "followup_6m"): (2, 2, 1.0, True),
        # no PHQ-9 from either: 0 of 2 fails 0.8 (Wilson upper bound 0.66) but not 0.6
        (P1, "segment", "SINGLE_CHRONIC", "PHQ9", "baseline"): (2, 0, 0.0, False),
        (P1, "segment", "SINGLE_CHRONIC", "PHQ9", "followup_6m"): (2, 0, 0.0, True),
        # P2 is private: its own entry, PHQ-9 only; J's baseline 2024-03-01, follow-up
        # 2024-09-01
        (P2, "segment", "SINGLE_CHRONIC", "PHQ9", "baseline"): (1, 1, 1.0, True),
        (P2, "segment", "SINGLE_CHRONIC", "PHQ9", "followup_6m"): (1, 1, 1.0, True),
        # B's home care episode, nothing collected
        (P3, "segment", "FRAIL_ELDERLY", "EQ5D5L", "baseline"): (1, 0, 0.0, False),
        # the shipped HNHC obligation: A's home care episode
        (P3, "segment", "HNHC", "EQ5D5L", "baseline"): (1, 1, 1.0, True),
        (P3, "segment", "HNHC", "EQ5D5L", "followup_6m"): (1, 1, 1.0, True),
    }
    phq = seg[(P1, "segment", "SINGLE_CHRONIC", "PHQ9", "baseline")]
    assert phq["rate_ci_upper"] == pytest.approx(0.6576, abs=1e-4)
    assert (phq["min_rate"], phq["below_threshold"], phq["obligation_sector"]) == (
        0.8, True, "all")
    assert phq["package_code"] is None and phq["measure"] == "participation"
    # peers: the other providers with a row of the same segment, instrument, timepoint, on
    # 5 eligible episodes or more: P2's 1 is none (the mart's unit test has a peer)
    assert (phq["peer_providers"], phq["peer_median_rate"]) == (0, None)
    fu = seg[(P1, "segment", "SINGLE_CHRONIC", "PHQ9", "followup_6m")]
    assert (fu["timepoint_collected"], fu["below_threshold"], fu["measure"]) == (
        0, True, "paired")
    j = seg[(P2, "segment", "SINGLE_CHRONIC", "PHQ9", "baseline")]
    assert (j["obligation_sector"], j["sector"], j["min_rate"]) == ("private", "private", 0.7)
    assert (j["peer_providers"], j["peer_median_rate"]) == (0, None)
    assert seg[(P2, "segment", "SINGLE_CHRONIC", "PHQ9", "followup_6m")]["min_rate"] == 0.5
    # the package obligations are what they were without segment obligations
    package = {k: r for k, r in pc.items() if k[1] == "package"}
    assert len(package) == 14
    assert all(r["package_code"] == r["scope_code"] for r in package.values())
    dep = package[(P2, "package", "DEPRESSION", "PHQ9", "baseline")]
    assert (dep["eligible_episodes"], dep["collected"], dep["peer_providers"]) == (3, 2, 0)


def test_segment_obligation_episodes(built):
    found = query(built, "select * from mart_prom_obligation_episodes where period = '2024-12' "
                         "and scope = 'segment'")
    status = {(r["provider_id"], r["episode_id"], r["scope_code"], r["instrument"],
               r["timepoint"]): (r["package_code"], r["status"]) for r in found}
    assert status == {
        (P1, "EP-H1", "SINGLE_CHRONIC", "EQ5D5L", "baseline"): ("HIP_KNEE", "met"),
        (P1, "EP-H1", "SINGLE_CHRONIC", "EQ5D5L", "followup_6m"): ("HIP_KNEE", "met"),
        (P1, "EP-H1", "SINGLE_CHRONIC", "PHQ9", "baseline"): ("HIP_KNEE", "missed"),
        (P1, "EP-H1", "SINGLE_CHRONIC", "PHQ9", "followup_6m"): ("HIP_KNEE", "missed"),
        (P1, "EP-D1", "SINGLE_CHRONIC", "EQ5D5L", "baseline"): ("T2_DIABETES", "met"),
        (P1, "EP-D1", "SINGLE_CHRONIC", "EQ5D5L", "followup_6m"): ("T2_DIABETES", "met"),
        (P1, "EP-D1", "SINGLE_CHRONIC", "PHQ9", "baseline"): ("T2_DIABETES", "missed"),
        (P1, "EP-D1", "SINGLE_CHRONIC", "PHQ9", "followup_6m"): ("T2_DIABETES", "missed"),
        (P2, "EP-J1", "SINGLE_CHRONIC", "PHQ9", "baseline"): ("DEPRESSION", "met"),
        (P2, "EP-J1", "SINGLE_CHRONIC", "PHQ9", "followup_6m"): ("DEPRESSION", "met"),
        (P3, "EP-B1", "FRAIL_ELDERLY", "EQ5D5L", "baseline"): ("HOME_CARE", "missed"),
        (P3, "EP-A1", "HNHC", "EQ5D5L", "baseline"): ("HOME_CARE", "met"),
        (P3, "EP-A1", "HNHC", "EQ5D5L", "followup_6m"): ("HOME_CARE", "met"),
    }


def test_segment_membership_is_the_clients_segment_in_the_period(built):
    """I is MOSTLY_HEALTHY in 2024-12 and FRAIL_ELDERLY in 2025-01 (turns 75)."""
    before = compliance(built, "2024-12")[(P3, "segment", "FRAIL_ELDERLY", "EQ5D5L",
                                           "baseline")]
    after = compliance(built, "2025-01")[(P3, "segment", "FRAIL_ELDERLY", "EQ5D5L",
                                          "baseline")]
    assert (before["eligible_episodes"], before["collected"]) == (1, 0)
    # B's window (closed 2024-07-01) and I's (2024-09-17..2024-10-31, collected 2024-10-02)
    assert (after["eligible_episodes"], after["collected"], after["rate"]) == (2, 1, 0.5)
    episodes = query(built, "select episode_id, period from mart_prom_obligation_episodes "
                            "where scope_code = 'FRAIL_ELDERLY' order by 2, 1")
    assert [(r["period"], r["episode_id"]) for r in episodes] == [
        ("2024-12", "EP-B1"), ("2025-01", "EP-B1"), ("2025-01", "EP-I1")]
