"""The key figures of a run as markdown, for the data engineer in the Prefect UI.

`steering_summary` gives a steering period's figures: the files this run ingested and
their rows accepted and quarantined (the run's own outcomes), then from the warehouse the
obligation checks failed, the funnel verdicts that are alarms and alerts, the objectives by
status and the payments, and links to the reports written. The flows publish it as a
Prefect markdown artifact (flows/runs.py). Counts of checks, verdicts and objectives and a
sum of euros rest on no single client, so no disclosure rule applies; the figures are the
same the steering report shows, read from the same marts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from arvo.report.objectives import MART as OBJECTIVES
from arvo.report.objectives import counted
from arvo.report.warehouse import Warehouse, open_warehouse

_SENT = ("accepted", "partial", "rejected", "empty")


@dataclass(frozen=True)
class Ingested:
    """One file's outcome of a run (arvo.ingest.submission.FileOutcome, as a dict)."""

    status: str
    rows_in: int
    rows_accepted: int
    rows_quarantined: int


def _count(wh: Warehouse, table: str, column: str, period: str) -> dict[str, int]:
    if table not in wh.tables:
        return {}
    rows = wh.query(f'select cast({column} as varchar) as k, count(*) as n from "{table}" '
                    f"where period = ? group by 1", [period])
    return {r["k"]: int(r["n"]) for r in rows}


def _payments(wh: Warehouse, period: str) -> tuple[Decimal, int] | None:
    if "mart_provider_payments" not in wh.tables:
        return None
    rows = wh.query("select sum(amount_eur) as eur, count(distinct provider_id) as providers "
                    "from mart_provider_payments where period = ? and line = 'total'", [period])
    if not rows or rows[0]["eur"] is None:
        return None
    return Decimal(rows[0]["eur"]), int(rows[0]["providers"])


def euros(amount: Decimal) -> str:
    """Euros with cents and thin thousands groups, as the data engineer reads them."""
    return f"{amount.quantize(Decimal('0.01')):,.2f}".replace(",", " ") + " €"


def steering_summary(warehouse: Path, period: str, version: str, run_name: str,
                     files: Iterable[dict], reports: Iterable[Path],
                     obligations: dict[str, int]) -> str:
    """The markdown summary of one steering run."""
    sent = [Ingested(f["status"], f["rows_in"], f["rows_accepted"], f["rows_quarantined"])
            for f in files if f["status"] in _SENT]
    with open_warehouse(warehouse) as wh:
        flags = _count(wh, "mart_provider_funnel", "flag", period)
        # counted as the steering report counts them (a hidden status as not measurable)
        objectives = Counter(counted(r) for r in wh.rows(OBJECTIVES, period))
        paid = _payments(wh, period)
    lines = [f"# Steering {period}", "",
             f"Run `{run_name}`, definitions version {version}.", "",
             "| What | Figure |", "|---|---|",
             f"| Files ingested in this run | {len(sent)} "
             f"({sum(f.status == 'rejected' for f in sent)} rejected whole) |",
             f"| Rows in / accepted / quarantined | {sum(f.rows_in for f in sent)} / "
             f"{sum(f.rows_accepted for f in sent)} / "
             f"{sum(f.rows_quarantined for f in sent)} |",
             f"| Obligation checks failed | {obligations.get('failed', 0)} of "
             f"{sum(obligations.values())} |",
             f"| Funnel alarms / alerts | {flags.get('alarm', 0)} / {flags.get('alert', 0)} |",
             "| Objectives met / near / missed / not measurable | "
             + " / ".join(str(objectives.get(s, 0))
                          for s in ("met", "near", "missed", "not_measurable")) + " |",
             "| Payments (sum of providers' totals) | "
             + (f"{euros(paid[0])} to {paid[1]} providers" if paid else "none") + " |"]
    reports = list(reports)
    main = [p for p in reports if p.name in ("steering_report.html", "index.html",
                                             "steering_report.pdf")]
    feedback = [p for p in reports if p.name == "feedback.html"]
    if reports:
        lines += ["", "## Reports", ""]
        lines += [f"- [{p.name}]({Path(p).resolve().as_uri()})" for p in main]
        if feedback:
            lines.append(f"- {len(feedback)} providers' feedback under "
                         f"`{Path(feedback[0]).resolve().parent.parent}`")
    return "\n".join(lines) + "\n"


def phase_summary(title: str, run_name: str, figures: dict[str, object],
                  reports: Iterable[Path]) -> str:
    """The markdown summary of a follow-up, a definition review or a cycle."""
    lines = [f"# {title}", "", f"Run `{run_name}`.", "", "| What | Figure |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in figures.items()]
    reports = list(reports)
    if reports:
        lines += ["", "## Reports", ""]
        lines += [f"- [{Path(p).name}]({Path(p).resolve().as_uri()})" for p in reports]
    return "\n".join(lines) + "\n"
