"""Steering report for the commissioner and feedback for each provider, rendered with Jinja2.

Reads only the marts of the DuckDB warehouse (read-only; see `docs/marts.md`) and writes
self-contained HTML files (inline CSS, no scripts, no external assets) under
`<reports_dir>/<period>/`:

- `steering_report.html`: for the commissioner; aggregates only, every cell based on
  fewer than `SMALL_CELL` clients, pairs or episodes suppressed (`disclosure`).
- `providers/<provider_id>/feedback.html`, `rows_to_fix.csv` and
  `episodes_to_complete.csv`: for one provider; its own record-level rows (quarantined
  rows, its episodes missing a PROM), peers only as (suppressed) aggregates.
- `index.html`: links to all of them.
- with `pdf`: `steering_report.pdf` and each `feedback.pdf`, the same HTML in print
  (`pdf`, WeasyPrint; docs/reports.md).

Every report is in one language, fi, sv or en (docs/languages.md): the steering report
and index in `arvo report --lang`, each feedback in its provider's language.

Modules: `disclosure` (small-cell suppression), `formatting` (numbers and dates in the
report's language with Babel, the window, the Jinja2 environment with the language's
catalogue), `labels` (names and code labels), `warehouse` (the
marts), `outcomes` (funnel verdicts, attention, trends, method note) and `compliance`
(views both reports share), `charts` (funnel plot coordinates), `steering` and
`feedback` (one per report), `files` (writing), `pdf` (print), `render` (all reports of a
period).
"""

from arvo.report.feedback import (
    CSV_COLUMNS,
    EPISODE_CSV_COLUMNS,
    feedback_context,
    render_provider_feedback,
)
from arvo.report.render import providers_for, render_all
from arvo.report.steering import render_steering_report, steering_context

__all__ = [
    "CSV_COLUMNS", "EPISODE_CSV_COLUMNS", "feedback_context", "providers_for", "render_all",
    "render_provider_feedback", "render_steering_report", "steering_context",
]
