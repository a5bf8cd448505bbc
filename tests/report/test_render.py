"""All reports of a period (arvo/report/render.py)."""

from __future__ import annotations

from arvo import report
from arvo.config import Settings
from tests.report.handmade import PERIOD, A, B, C


def test_render_all_writes_index(settings: Settings):
    paths = report.render_all(settings, PERIOD)
    index = settings.reports_dir / PERIOD / "index.html"
    assert index in paths
    assert settings.reports_dir / PERIOD / "steering_report.html" in paths
    for pid in (A, B, C):
        assert settings.reports_dir / PERIOD / "providers" / pid / "feedback.html" in paths
    html = index.read_text(encoding="utf-8")
    assert 'href="steering_report.html"' in html
    assert f'href="providers/{A}/feedback.html"' in html
    assert all(p.exists() for p in paths)
