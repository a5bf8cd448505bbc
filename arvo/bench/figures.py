"""The benchmark's figures: one CSV of every measured stage, and their table in the docs.

`record` appends a run's stages to the CSV (`docs/bench/figures.csv` by default: the
measured history stays with the code it measured) and rewrites the block between
`<!-- arvo bench: begin -->` and `<!-- arvo bench: end -->` in docs/operations.md
from the CSV: the latest figures of each region size, and the scaling exponents
when more than one size has been measured (`scaling`: fitted to the median of each
size's runs by one commit). `exponent` fits the slope of log(wall) on log(size) by least
squares.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path
from statistics import median

from arvo.bench.runs import Stage

COLUMNS = ("measured_at", "commit", "cpus", "residents", "months", "period", "scenario",
           "stage", "wall_seconds", "rows", "unit", "rows_per_second", "peak_mb")
BEGIN, END = "<!-- arvo bench: begin -->", "<!-- arvo bench: end -->"
# stages no longer measured: kept in the CSV, left out of the table. Great Expectations'
# first run was timed in the benchmark's own process until 2026-12-04 (its import
# included); it is now timed in a worker, as the run runs it (arvo.bench.runs.validation)
RETIRED = frozenset({"validation (Great Expectations), first in a process"})


def append(csv_path: Path, stages: Iterable[Stage], **run: object) -> None:
    """Append the stages of one run (with `run`'s measured_at, commit, sizes...) to the CSV."""
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    new = not csv_path.is_file()
    with csv_path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        if new:
            writer.writeheader()
        for s in stages:
            writer.writerow({**run, "scenario": s.scenario, "stage": s.stage,
                             "wall_seconds": s.wall_seconds, "rows": s.rows, "unit": s.unit,
                             "rows_per_second": s.rows_per_second, "peak_mb": s.peak_mb})


def read(csv_path: Path) -> list[dict]:
    """The CSV's rows; empty when there is none yet."""
    if not csv_path.is_file():
        return []
    with csv_path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def latest(rows: list[dict]) -> list[dict]:
    """Of each (residents, months, scenario, stage), the row measured last; sizes in order,
    the stages of a size in the order they were first measured; RETIRED stages left out."""
    out: dict[tuple, dict] = {}
    for r in rows:
        if r["stage"] in RETIRED:
            continue
        key = (int(r["residents"]), int(r["months"]), r["scenario"], r["stage"])
        if key not in out or r["measured_at"] >= out[key]["measured_at"]:
            out[key] = r
    return sorted(out.values(), key=lambda r: (int(r["residents"]), int(r["months"])))


RATIOS = (("transform", "transform as DuckDB SQL", "dbt stage / the same SQL in DuckDB", 1.5),
          ("validation (Great Expectations)", "validation as DuckDB SQL",
           "validation with Great Expectations / the same checks as DuckDB SQL", 5.0),
          ("validation (Great Expectations), first in a worker", "validation as DuckDB SQL",
           "the same, Great Expectations' first run in an ingest worker (the building of its "
           "validation definitions included; the import is the fork server's)", 5.0))


def ratios(rows: list[dict]) -> list[str]:
    """Sentences: each size's dbt and validation stages over the same work as DuckDB SQL,
    against the issue's targets (1.5x and 5x)."""
    lines = []
    walls = {(int(r["residents"]), int(r["months"]), r["scenario"], r["stage"]):
             float(r["wall_seconds"]) for r in latest(rows)}
    for (n, m, scenario, stage), wall in walls.items():
        for tool, sql, label, target in RATIOS:
            base = walls.get((n, m, scenario, sql))
            if stage == tool and base:
                lines.append(f"{n:,} residents, {m} months, {scenario}: {label} = "
                             f"{wall:.1f} s / {base:.1f} s = {wall / base:.1f}x "
                             f"(target at most {target:g}x)")
    return lines


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x); None with fewer than two distinct x."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    return (sum((x - mx) * (y - my) for x, y in pts)
            / sum((x - mx) ** 2 for x, _ in pts))


def scaling(rows: list[dict], scenario: str = "monthly", stage: str = "total") -> list[str]:
    """Sentences: how a stage's wall time grows with residents (at each months) and months
    (at each residents size).

    Each exponent is fitted to one commit's figures, the latest that measured any of the
    sizes it spans, at the sizes that commit measured: at each, the median of its runs (a
    run's wall time moves by a second or more from hour to hour: docs/operations.md).
    Over the months, also the wall time per row the stage counts (for the total, the
    period month's rows read): the generator's regions of the same residents but a longer
    history do not hold the same month, so this exponent tells growth with the history
    from growth with the data of the month.
    """
    picked = [r for r in rows if r["scenario"] == scenario and r["stage"] == stage]
    lines = []
    for fixed, varying, label in (("months", "residents", "residents"),
                                  ("residents", "months", "months of history")):
        for value in sorted({int(r[fixed]) for r in picked}):
            at = [r for r in picked if int(r[fixed]) == value]
            commit = max(at, key=lambda r: r["measured_at"])["commit"]
            runs: dict[int, list[dict]] = {}
            for r in at:
                if r["commit"] == commit:
                    runs.setdefault(int(r[varying]), []).append(r)
            sizes = sorted(runs)
            b = exponent([(x, median(float(r["wall_seconds"]) for r in runs[x]))
                          for x in sizes])
            if b is None:
                continue
            line = (f"{scenario} {stage} wall ~ {label}^{b:.2f} at {fixed} = {value:,} "
                    f"(sizes {', '.join(f'{x:,}' for x in sizes)}; medians of "
                    f"{', '.join(str(len(runs[x])) for x in sizes)} runs of {commit})")
            if varying == "months" and all(r["rows"] for x in sizes for r in runs[x]):
                per_row = exponent([(x, median(float(r["wall_seconds"]) / int(r["rows"])
                                               for r in runs[x])) for x in sizes])
                unit = runs[sizes[0]][0]["unit"].replace("rows", "row", 1)
                line += f"; wall per {unit} ~ {label}^{per_row:.2f}"
            lines.append(line)
    return lines


def table(rows: list[dict]) -> str:
    """The docs block: the latest figures of each size, then the exponents."""
    head = ("| residents | months | scenario | stage | wall | rows | rows/s | peak MB | "
            "measured |\n| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |")
    body = [f"| {int(r['residents']):,} | {r['months']} | {r['scenario']} | {r['stage']} | "
            f"{float(r['wall_seconds']):.1f} s | "
            + (f"{int(r['rows']):,} {r['unit']}" if r["rows"] else "") + " | "
            + (f"{int(float(r['rows_per_second'])):,}" if r["rows_per_second"] else "")
            + " | " + (f"{float(r['peak_mb']):,.0f}" if r["peak_mb"] else "")
            + f" | {r['measured_at']} ({r['commit']}, {r['cpus']} CPUs) |"
            for r in latest(rows)]
    exps = [f"- {line}" for line in ratios(rows) + scaling(rows)]
    return "\n".join([head, *body, "", *exps]).rstrip() + "\n"


def write_docs(doc: Path, rows: list[dict]) -> None:
    """Replace the block between the markers in `doc` with `table(rows)`."""
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{doc} has no {BEGIN} ... {END} block for the benchmark's figures")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    doc.write_text(f"{before}{BEGIN}\n{table(rows)}{END}{after}", encoding="utf-8")
