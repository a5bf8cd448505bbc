"""All of a period's reports at once: the steering report, every provider's feedback and
`index.html` linking them; with `pdf`, each report also as a PDF beside its HTML. The
period's folder is rendered aside and swapped in whole (`files.staged`): a reader, or a
run killed half-way, never leaves it half written (docs/reruns.md)."""

from __future__ import annotations

from pathlib import Path

from arvo.config import Settings
from arvo.messages import DEFAULT_LANGUAGE
from arvo.report.feedback import render_provider_feedback
from arvo.report.files import moved, staged, write_text
from arvo.report.formatting import environment, generated, window
from arvo.report.labels import names
from arvo.report.pdf import write_pdfs
from arvo.report.steering import render_steering_report
from arvo.report.warehouse import Warehouse, open_warehouse


def providers_for(settings: Settings, period: str,
                  lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Provider id -> name (in `lang`): the marts' providers of the period and the
    providers registered for it (mart_period_register)."""
    with open_warehouse(settings.warehouse) as wh:
        return _providers(settings, wh, period, lang)


def _providers(settings: Settings, wh: Warehouse, period: str, lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    known = names(settings, wh, period, lang)
    for table in ("mart_provider_data_quality", "mart_prom_compliance"):
        for r in wh.rows(table, period):
            found.setdefault(r["provider_id"], known.provider(r["provider_id"],
                                                              r["provider_name"]))
    for pid, name in known.providers.items():
        found.setdefault(pid, name)
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def render_all(settings: Settings, period: str, lang: str = DEFAULT_LANGUAGE,
               pdf: bool = False) -> list[Path]:
    """Render the steering report and `index.html` in `lang`, and every provider's feedback
    in the provider's language (providers.yml `language`; `lang` where it gives none); with
    `pdf`, also `steering_report.pdf` and each provider's `feedback.pdf`. Every file is
    written into a staging folder, which then replaces `<reports_dir>/<period>/` whole."""
    with staged(settings, Path(settings.reports_dir) / period) as aside:
        written = _render_all(aside, period, lang, pdf)
    return moved(written, aside, settings)


def _render_all(settings: Settings, period: str, lang: str, pdf: bool) -> list[Path]:
    # one warehouse for all the reports, each mart read once and sliced per provider
    with open_warehouse(settings.warehouse, batched=True) as wh:
        return _render(settings, wh, period, lang, pdf)


def _render(settings: Settings, wh: Warehouse, period: str, lang: str,
            pdf: bool) -> list[Path]:
    written = [render_steering_report(settings, period, lang, wh)]
    reports = [written[0]]
    feedback = []
    known = names(settings, wh, period)
    for pid, name in _providers(settings, wh, period, lang).items():
        fb = render_provider_feedback(settings, period, pid, known.language(pid) or lang, wh)
        feedback.append({"provider_id": pid, "provider_name": name, "feedback": fb,
                         "html": f"providers/{pid}/feedback.html",
                         "csv": f"providers/{pid}/rows_to_fix.csv",
                         "episodes_csv": f"providers/{pid}/episodes_to_complete.csv"})
        written += [fb.html_path, fb.csv_path]
        reports.append(fb.html_path)
        if fb.episodes_csv_path:
            written.append(fb.episodes_csv_path)
    html = environment(settings.templates_dir, lang).get_template("index.html.j2").render(
        lang=lang, period=period, window=window(period, lang), generated=generated(lang),
        providers=feedback)
    written.append(write_text(Path(settings.reports_dir) / period / "index.html", html))
    if pdf:
        written += [p.path for p in write_pdfs(reports)]
    return written
