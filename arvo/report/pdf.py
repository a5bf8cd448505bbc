"""Reports in print: each HTML report rendered to an A4 PDF beside it, with WeasyPrint.

The PDF is the HTML report itself: the same file, laid out by its print rules
(reports/templates/print.html.j2: A4, a running header with the report's title, period
and marking, page numbers, table headers repeated on each page, no row or chart split).
WeasyPrint reads only local files and `data:` URLs here: a report that asked for anything
from the network would fail rather than reach out (the reports are self-contained).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

_COUNTER = re.compile(r"(\{pages\}|\{page\})")


class _BrowserOnly(logging.Filter):
    """Drops WeasyPrint's note that it ignores `print-color-adjust` (a browser's property
    in base.html.j2; WeasyPrint prints the colours anyway), once per report otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "print-color-adjust" not in record.getMessage()


logging.getLogger("weasyprint").addFilter(_BrowserOnly())


def css_content(label: str) -> Markup:
    """A page label such as 'sivu {page}/{pages}' as a CSS `content` value:
    '"sivu " counter(page) "/" counter(pages)'. The label's text is quoted for CSS (so a
    translation may hold any character) and cannot close the <style> element."""
    parts = []
    for piece in _COUNTER.split(label):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            quoted = (piece.replace("\\", "\\\\").replace('"', '\\"')
                      .replace("\n", "\\A ").replace("<", "\\3C "))
            parts.append(f'"{quoted}"')
    return Markup(" ".join(parts) or '""')


def write_pdf(html_path: Path, pdf_path: Path | None = None) -> Path:
    """Render the HTML report at `html_path` to `pdf_path` (default: the same name with
    .pdf), whole or not at all: written aside, then renamed over the old file."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf_path.with_name(pdf_path.name + ".tmp")
    fetcher = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
    try:
        HTML(filename=str(html_path), url_fetcher=fetcher).write_pdf(str(tmp))
        tmp.replace(pdf_path)
    finally:
        tmp.unlink(missing_ok=True)
    return pdf_path


@dataclass(frozen=True)
class Printed:
    """A PDF written and the seconds it took."""

    path: Path
    seconds: float


def _timed(html_path: Path) -> Printed:
    start = time.perf_counter()
    path = write_pdf(html_path)
    return Printed(path, round(time.perf_counter() - start, 2))


def write_pdfs(html_paths: Iterable[Path], workers: int | None = None) -> list[Printed]:
    """Each HTML report as a PDF beside it, in the order given, each timed.

    Up to `workers` reports (default: one per CPU) are laid out side by side in processes
    of their own (started fresh, not forked from a flow's threads): WeasyPrint is pure
    Python, so threads would not help."""
    paths = list(html_paths)
    workers = min(len(paths), workers or os.cpu_count() or 1)
    if workers <= 1:
        return [_timed(p) for p in paths]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_timed, paths))


def first_page_png(pdf_path: Path, png_path: Path, width: int = 1400) -> Path:
    """Page 1 of a PDF as a PNG `width` pixels wide (for the docs), with pypdfium2."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf_path))
    try:
        page = doc[0]
        image = page.render(scale=width / page.get_width()).to_pil()
        png_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = png_path.with_name(png_path.name + ".tmp")
        image.save(tmp, format="PNG", optimize=True)
        tmp.replace(png_path)
    finally:
        doc.close()
    return png_path
