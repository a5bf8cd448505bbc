"""The demo's files arrive on time but for a planted few (arvo/demo/arrivals.py)."""

from __future__ import annotations

from arvo.deadlines import Submissions
from arvo.demo import arrivals
from arvo.periods import add_months

RULES = Submissions(due_day=10)
PROVIDERS = [f"{n:07d}-0" for n in range(23)]
MONTHS = [add_months("2024-01", i) for i in range(24)]


def test_most_arrive_before_the_deadline_and_a_planted_few_after_it():
    late = on_time = 0
    for pid in PROVIDERS:
        for month in MONTHS:
            for entity in ("events", "episodes", "proms"):
                when = arrivals.arrival(pid, month, entity, RULES)
                if arrivals.is_planted_late(pid, month):
                    assert when.date() > RULES.due_by(month)
                    late += 1
                else:
                    assert add_months(month, 1) + "-01" <= when.date().isoformat()
                    assert when.date() <= RULES.due_by(month)
                    on_time += 1
    assert 0 < late < on_time / 10


def test_arrivals_are_deterministic():
    assert arrivals.arrival("1234567-1", "2025-03", "proms", RULES) == arrivals.arrival(
        "1234567-1", "2025-03", "proms", RULES)


def test_the_planted_late_files_are_flagged_late_in_the_marts_and_reports(loop_region):
    """In the loop region's 2025-12, the files flagged late are exactly those of the
    planted late provider-months, and each provider's feedback flags them."""
    import duckdb

    home, _ = loop_region
    with duckdb.connect(str(home / "warehouse" / "arvo.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select provider_id, month, is_late, received_at, due_by "
            "from mart_provider_data_quality where period = '2025-12'").fetchall()
    assert rows and all(r[3] is not None and r[4] is not None for r in rows)
    late = {(p, m) for p, m, is_late, *_ in rows if is_late}
    assert late and late == {(p, m) for p, m, *_ in rows if arrivals.is_planted_late(p, m)}
    report = home / "reports" / "2025-12"
    steering = (report / "steering_report.html").read_text(encoding="utf-8")
    assert 'id="submissions"' in steering
    for provider in {p for p, _ in late}:
        feedback = (report / "providers" / provider / "feedback.html").read_text("utf-8")
        flagged = feedback.count('data-late="1"')
        assert flagged == sum(1 for p, m, is_late, *_ in rows if p == provider and is_late)
