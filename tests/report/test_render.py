"""All reports of a period (arvo/report/render.py)."""

from __future__ import annotations

from arvo import report
from arvo.config import Settings
from tests.dbt_project.tiny_lake import P1
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


# ----------------------------------------------------------- from the tiny lake, through dbt

def test_a_past_period_re_rendered_from_the_warehouse_is_the_same(tiny_warehouse, fixed_time):
    """2024-12 rendered again after 2025-01 was built on a changed quarantine: the same
    files, byte for byte, as when 2024-12 was run."""
    settings = tiny_warehouse["settings"]
    first = tiny_warehouse["first"]
    period = "2024-12"
    folder = settings.reports_dir / period
    for path in folder.rglob("*"):  # nothing of the first run may be read back
        if path.is_file():
            path.unlink()
    again = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
             for p in report.render_all(settings, period)}
    assert set(again) == set(first)
    for name, text in first.items():
        assert again[name] == text, name
    # and it did have rows to fix that the quarantine no longer holds
    assert "E-D0" in first[f"providers/{P1}/rows_to_fix.csv"]
    assert not (settings.quarantine_dir / "events" / f"provider_id={P1}" / "month=2024-04"
                ).exists()


def test_render_all_from_the_tiny_lake(tiny_warehouse, fixed_time):
    settings = tiny_warehouse["settings"]
    paths = report.render_all(settings, "2025-01")
    assert all(p.exists() for p in paths)
    html = (settings.reports_dir / "2025-01" / "steering_report.html").read_text("utf-8")
    # the run's value set (the dbt project's default, England), from the marts
    assert "EQ-5D-5L-indeksi: Englannin arvotus (Devlin ym. 2018)." in html
    assert "arvo.report" not in html


def test_reports_need_nothing_but_the_warehouse(tiny_warehouse, fixed_time, tmp_path):
    """The warehouse file alone, in a home without lake, quarantine, dbt folders or earlier
    reports, and with no definitions to read, renders the same files as the run that
    built it: names and the providers to report on come from mart_period_register."""
    import shutil

    from tests.conftest import settings_at

    built = tiny_warehouse["settings"]
    period = "2025-01"
    folder = built.reports_dir / period
    before = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
              for p in report.render_all(built, period)}
    (tmp_path / "no-definitions").mkdir()
    alone = settings_at(tmp_path / "var").model_copy(
        update={"definitions_dir": tmp_path / "no-definitions"})
    alone.warehouse.parent.mkdir(parents=True)
    shutil.copy(built.warehouse, alone.warehouse)
    assert sorted(p.name for p in alone.home.iterdir()) == ["warehouse"]
    folder = alone.reports_dir / period
    after = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8-sig")
             for p in report.render_all(alone, period)}
    assert set(after) == set(before) and len(before) >= 5
    for name, text in before.items():
        assert after[name] == text, name
    assert sorted(p.name for p in alone.home.iterdir()) == ["reports", "warehouse"]
