"""Ingest in waves: the months to ingest, oldest first, in groups that fit a byte budget.

A run that ingests many months (a first run over the history, a backfill) would hold
every month's rows in memory until all were validated, so memory would grow with the
history. Instead the plan (provider -> months) is cut into waves of consecutive
submission months, oldest first; each wave is read, validated and written, then freed,
before the next is read. A wave holds as many months as fit in the budget of raw bytes
(the sizes on disk of the files the months' folders hold, across all providers; at
least one month a wave), so Great Expectations' fixed cost per suite run is paid once a
wave, not once a month. Every check is per file, so the waves give exactly what one
wave would; the month's ingest log is still written last, after its partitions.

A wave's providers can be split in groups of about equal work (`balanced_groups`), which
arvo.ingest.workers ingests side by side in processes of their own. The work is weighed
by rows (`plan_rows`), not bytes: a Parquet file holds about three times the rows of a
CSV file of its size, and a row costs about the same to type, pseudonymise and validate
whatever its format (docs/performance-history.md, `6028a41`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from arvo.ingest.folders import month_contents
from arvo.ingest.read import count_rows, too_large

__all__ = ["Wave", "balanced_groups", "in_plan_order", "plan_rows", "plan_sizes",
           "plan_waves", "wave_months"]


@dataclass(frozen=True)
class Wave:
    """Consecutive submission months ingested together: provider -> its months in them."""

    months: list[str]
    plan: dict[str, list[str]]
    raw_bytes: int
    provider_bytes: dict[str, int] = field(default_factory=dict)  # of the wave's months


def plan_sizes(raw_dir: Path, plan: dict[str, list[str]], max_file_bytes: int,
               max_file_rows: int | None = None) -> dict[tuple[str, str], int]:
    """Bytes on disk of the files each planned (provider, month) would read.

    A file over `max_file_bytes` (or a Parquet file over `max_file_rows`) is rejected
    unread, so it weighs nothing.
    """
    return {(provider_id, month): sum(p.stat().st_size for p in _read_files(
                raw_dir, provider_id, month, max_file_bytes, max_file_rows))
            for provider_id, months in plan.items() for month in months}


def plan_rows(raw_dir: Path, plan: dict[str, list[str]], max_file_bytes: int,
              max_file_rows: int | None = None) -> dict[str, int]:
    """Rows of the files each planned provider's months would read: a Parquet file's by
    its footer, a text file's by its lines (header and blank lines included: a weight,
    not a count of records), estimated past its first 64 KiB from their mean length. A
    file rejected unread (see `plan_sizes`) weighs nothing."""
    return {provider_id: sum(_rows_of(p) for month in months for p in _read_files(
                raw_dir, provider_id, month, max_file_bytes, max_file_rows))
            for provider_id, months in plan.items()}


def _read_files(raw_dir: Path, provider_id: str, month: str, max_file_bytes: int,
                max_file_rows: int | None) -> list[Path]:
    """The files of a provider's month folder that the ingest would read (not rejected
    unread by their size or rows: arvo.ingest.read.too_large)."""
    files = month_contents(raw_dir, provider_id, month).files
    return [p for paths in files.values() for p in paths
            if too_large(p, max_file_bytes, max_file_rows) is None]


_SAMPLE = 1 << 16
"""The bytes at the head of a text file whose lines give its mean line length."""


def _rows_of(path: Path) -> int:
    if path.suffix.lower() == ".parquet":
        return count_rows(path) or 0  # a broken footer: the file is rejected when read
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
    lines = head.count(b"\n")
    size = path.stat().st_size
    if size <= len(head) or not lines:  # the whole file read: its lines counted
        return lines
    return round(size * lines / len(head))  # the size over the head's mean line length


def _by_month(sizes: dict[tuple[str, str], int]) -> dict[str, int]:
    months: dict[str, int] = {}
    for (_, month), size in sizes.items():
        months[month] = months.get(month, 0) + size
    return months


def wave_months(sizes: dict[str, int], budget: int) -> list[list[str]]:
    """The months, oldest first, in runs whose sizes sum to at most `budget`.

    A month larger than the budget is a wave of its own: every wave holds at least one.
    """
    waves: list[list[str]] = []
    total = 0
    for month in sorted(sizes):
        if waves and total + sizes[month] <= budget:
            waves[-1].append(month)
            total += sizes[month]
        else:
            waves.append([month])
            total = sizes[month]
    return waves


def plan_waves(raw_dir: Path, plan: dict[str, list[str]], budget: int,
               max_file_bytes: int, max_file_rows: int | None = None) -> list[Wave]:
    """The plan's months in waves of at most `budget` raw bytes, oldest first; each wave's
    plan keeps the providers in the plan's order."""
    sizes = plan_sizes(raw_dir, plan, max_file_bytes, max_file_rows)
    by_month = _by_month(sizes)
    waves = []
    for months in wave_months(by_month, budget):
        chosen = set(months)
        part = {pid: [m for m in ms if m in chosen] for pid, ms in plan.items()}
        part = {pid: ms for pid, ms in part.items() if ms}
        waves.append(Wave(months, part, sum(by_month[m] for m in months),
                          {pid: sum(sizes[pid, m] for m in ms) for pid, ms in part.items()}))
    return waves


def balanced_groups(wave: Wave, groups: int, weights: dict[str, int] | None = None
                    ) -> list[dict[str, list[str]]]:
    """The wave's plan in at most `groups` groups of providers of about equal weight: each
    provider's in `weights` (e.g. `plan_rows`), else its bytes in the wave.

    Heaviest provider first, each to the lightest group so far (the longest-processing-
    time rule); a provider is never split. Each group keeps the plan's order.
    """
    weight = wave.provider_bytes if weights is None else weights
    loads = [0] * max(1, min(groups, len(wave.plan)))
    members: list[set[str]] = [set() for _ in loads]
    for pid in sorted(wave.plan, key=lambda p: (-weight.get(p, 0), p)):
        lightest = loads.index(min(loads))
        loads[lightest] += weight.get(pid, 0)
        members[lightest].add(pid)
    return [{pid: ms for pid, ms in wave.plan.items() if pid in group}
            for group in members if group]


def in_plan_order(outcomes: Iterable, plan: dict[str, list[str]]) -> list:
    """Outcomes of several waves in the order one wave gives: by provider as planned, then
    month (stable: the entities of a month stay in their order)."""
    rank = {pid: i for i, pid in enumerate(plan)}
    return sorted(outcomes, key=lambda o: (rank.get(o.provider_id, len(rank)), o.month))
