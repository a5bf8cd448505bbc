"""The definition phase's marts on the tiny lake (tests/dbt_project/tiny_lake.py), period
2024-12, against the draft of tests/conftest.py DRAFT_SEGMENTS (MULTIMORBID needs three
chronic conditions instead of two). Every number worked out by hand from the lake."""

from __future__ import annotations

import math
from decimal import Decimal

import duckdb
import pytest

from arvo.transform import STEERING_EXCLUDE

PERIOD = "2024-12"
DEFINITION_MARTS = ("mart_definition_population", "mart_definition_service_use",
                    "mart_cost_lorenz", "mart_high_need_profile",
                    "mart_high_need_combinations", "mart_segment_profiles",
                    "mart_segment_draft_moves", "mart_objective_baselines")

# 2024 window costs of the tiny lake's eleven clients, ascending
COSTS = {"E": 50, "K": 80, "D": 190, "L": 200, "I": 400, "N": 400, "J": 500, "C": 700,
         "B": 1100, "H": 12000, "A": 15200}
TOTAL = sum(COSTS.values())  # 30,820


def query(settings, sql: str) -> list[dict]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def wh(definition_warehouse):
    return definition_warehouse["settings"]


def test_every_definition_mart_names_its_definitions_version(wh):
    for mart in DEFINITION_MARTS:
        rows = query(wh, f"select period, definitions_version from {mart}")
        assert rows, mart
        assert {(r["period"], r["definitions_version"]) for r in rows} == {(PERIOD, "v1")}


def test_population_by_age_group_sex_and_home_municipality(wh):
    got = {(r["age_group"], r["sex"], r["municipality"]): (r["clients"], r["cost_eur"],
                                                           r["is_small"])
           for r in query(wh, "select * from mart_definition_population")}
    assert got == {
        ("18-64", "M", "837"): (3, Decimal("16400.00"), True),     # A, C, J
        ("65-74", "F", "837"): (1, Decimal("12000.00"), True),     # H
        ("18-64", "F", "837"): (1, Decimal("190.00"), True),       # D: latest event 837
        ("75-84", "F", "536"): (1, Decimal("1100.00"), True),      # B
        ("65-74", "F", "536"): (1, Decimal("400.00"), True),       # I (74 at 2024-12-31)
        ("18-64", "M", "unknown"): (3, Decimal("650.00"), True),   # E, L, N sent none
        ("18-64", "F", "unknown"): (1, Decimal("80.00"), True),    # K
    }


def test_service_use_by_domain_service_and_sector(wh):
    rows = {(r["domain"], r["service_code"], r["provider_sector"]): r
            for r in query(wh, "select * from mart_definition_service_use")}
    pc = rows[("health", "PC_VISIT", "public")]  # A, B twice, C, D (re-sent: once), K
    assert (pc["clients"], pc["events"], pc["cost_eur"], pc["is_small"]) == \
        (5, 6, Decimal("810.00"), False)
    assert pc["service_name_en"] == "Primary care physician visit"
    home = rows[("social", "HOME_CARE_VISIT", "public")]  # A, B, I in 2024
    assert (home["clients"], home["events"], home["cost_eur"]) == (3, 3, Decimal("6200.00"))
    assert sum(r["cost_eur"] for r in rows.values()) == TOTAL


def test_lorenz_curve_and_gini(wh):
    rows = {r["percentile"]: r for r in query(wh, "select * from mart_cost_lorenz")}
    assert sorted(rows) == list(range(0, 101))
    ascending = sorted(COSTS.values())
    for p in (0, 10, 50, 90, 99, 100):
        k = math.floor(p * 11 / 100)
        r = rows[p]
        assert r["clients_in_bottom"] == k and r["clients_total"] == 11
        assert r["cost_in_bottom_eur"] == sum(ascending[:k])
        assert r["cost_share"] == pytest.approx(sum(ascending[:k]) / TOTAL)
    # the top decile (ceil(0.1 x 11) = 2 clients, A and H) uses 88 % of the costs,
    # as mart_cost_concentration counts it
    assert rows[90]["top_cost_share"] == pytest.approx((15200 + 12000) / TOTAL)
    weighted = sum(i * x for i, x in enumerate(ascending, start=1))
    assert rows[0]["gini"] == pytest.approx(2 * weighted / (11 * TOTAL) - 12 / 11)
    assert rows[0]["gini"] == pytest.approx(0.7508, abs=1e-4)


def test_high_need_profile_of_the_top_decile(wh):
    got = {r["client_group"]: r for r in query(wh, "select * from mart_high_need_profile")}
    top, others, everyone = got["top_share"], got["others"], got["all"]
    assert (top["clients"], top["cost_eur"]) == (2, Decimal("27200.00"))  # A and H
    assert top["cost_share"] == pytest.approx(27200 / TOTAL)
    # A: social + health care, 2 providers, 3 service types; H: health only, 1, 1
    assert (top["mean_domains"], top["mean_providers"], top["mean_service_types"],
            top["both_domains_share"]) == (1.5, 1.5, 2.0, 0.5)
    assert top["is_small"] and not others["is_small"]
    assert others["clients"] == 9 and everyone["clients"] == 11
    assert others["cost_eur"] + top["cost_eur"] == everyone["cost_eur"] == TOTAL
    # of the others only B uses both domains (home care and primary care)
    assert others["both_domains_share"] == pytest.approx(1 / 9)


def test_service_combinations_of_the_top_decile(wh):
    got = [(r["combination_rank"], r["combination"], r["clients"], r["is_small"])
           for r in query(wh, "select * from mart_high_need_combinations "
                              "order by combination_rank")]
    assert got == [(1, "HOME_CARE_VISIT + INPATIENT_DAY + PC_VISIT", 1, True),
                   (2, "SURGERY", 1, True)]


def test_draft_moves_the_client_with_two_conditions(wh):
    moves = {(r["segment_code"], r["draft_segment_code"]): r["clients"]
             for r in query(wh, "select * from mart_segment_draft_moves")}
    assert moves == {("HNHC", "HNHC"): 1, ("FRAIL_ELDERLY", "FRAIL_ELDERLY"): 1,
                     ("MULTIMORBID", "MOSTLY_HEALTHY"): 1,  # C: F32 + F41
                     ("SINGLE_CHRONIC", "SINGLE_CHRONIC"): 3,
                     ("MOSTLY_HEALTHY", "MOSTLY_HEALTHY"): 5}


def test_segment_profiles_current_and_draft(wh):
    got = {(r["segmentation"], r["segment_code"]): r
           for r in query(wh, "select * from mart_segment_profiles")}
    assert len(got) == 10
    healthy = got[("current", "MOSTLY_HEALTHY")]  # E, I, K, L, N
    assert (healthy["clients"], healthy["cost_eur"], healthy["mean_age"]) == \
        (5, Decimal("1130.00"), 47.0)
    assert healthy["cost_per_client_eur"] == Decimal("226.00")
    assert not healthy["is_small"]
    draft = got[("draft", "MOSTLY_HEALTHY")]  # and C (700 EUR, 54 years)
    assert (draft["clients"], draft["cost_eur"], draft["cost_per_client_eur"]) == \
        (6, Decimal("1830.00"), Decimal("305.00"))
    assert got[("draft", "MULTIMORBID")]["clients"] == 0
    assert got[("draft", "MULTIMORBID")]["name_sv"] == "Multisjuka"
    current = got[("current", "MULTIMORBID")]
    assert (current["clients"], current["pairs"], current["mid_pairs"]) == (1, 2, 2)
    assert sum(r["clients"] for (s, _), r in got.items() if s == "draft") == 11


def test_objective_baselines_count_as_the_objectives_do(wh):
    base = {r["objective_code"]: r for r in query(wh, "select * from mart_objective_baselines")}
    measured = query(wh, "select * from int_objective_units_measured "
                         "where scope_type <> 'provider'")
    # each objective of objectives.yml is the candidate of its scope, measure, instrument
    candidate = {o["objective_code"]: ":".join(
        x for x in (o["scope"], o["scope_code"], o["measure"], o["instrument"]) if x)
        for o in query(wh, "select * from stg_definitions__objectives")}
    assert candidate["DEP_RECOVERY"] == "package:DEPRESSION:recovery_rate:PHQ9"
    compared = set()
    for m in measured:
        b = base[candidate[m["objective_code"]]]
        for k in ("n", "successes", "clients", "value", "ci_lower", "ci_upper"):
            assert b[k] == (pytest.approx(m[k]) if isinstance(m[k], float) else m[k]), k
        compared.add(m["objective_code"])
    assert {"DEP_RECOVERY", "HNHC_EQ5D_GAIN"} <= compared
    # a share's interval is Wilson's: 1 of 1 pair at 95 %
    one = base["segment:HNHC:mid_share:EQ5D5L"]
    z = 1.959963984540054
    assert (one["n"], one["successes"], one["is_small"]) == (1, 1, True)
    assert one["ci_lower"] == pytest.approx((1 + z * z / 2 - z * math.sqrt(z * z / 4))
                                            / (1 + z * z))


def test_steering_builds_leave_the_definition_marts_out(tiny_warehouse):
    assert STEERING_EXCLUDE == "tag:definition"
    tables = {r["table_name"] for r in query(
        tiny_warehouse["settings"], "select table_name from information_schema.tables")}
    assert "mart_segment_value" in tables
    assert not tables & {*DEFINITION_MARTS, "int_clients_described"}
