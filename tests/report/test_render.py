"""All reports of a period (arvo/report/render.py)."""

from __future__ import annotations

from html.parser import HTMLParser

from arvo import report
from arvo.config import Settings
from tests.dbt_project.tiny_lake import P1
from tests.report.handmade import PERIOD, A, B, C
from tests.report.headers import header_rows


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


class _Page(HTMLParser):
    """Tables, their captions and header cells, charts and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.svgs: list[dict] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": False, "th": [], "first": None, "text": ""})
        elif self.tables and tag == "caption":
            self.tables[-1]["caption"] = True
        elif self.tables and tag == "th":
            self.tables[-1]["th"].append(a.get("scope"))
        elif tag == "svg":
            self.svgs.append({**a, "title": False, "desc": False})
        elif tag in ("title", "desc") and self.svgs and "svg" in self._open:
            self.svgs[-1][tag] = True
        if self.tables and self.tables[-1]["first"] is None and tag != "table":
            self.tables[-1]["first"] = tag
        self._open.append(tag)

    def handle_endtag(self, tag):
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data):
        if "style" not in self._open:
            self.text.append(data)
            if self.tables and "table" in self._open:
                self.tables[-1]["text"] += data


def _pages(settings) -> dict[str, _Page]:
    out = {}
    for path in report.render_all(settings, PERIOD):
        if path.suffix == ".html":
            page = _Page()
            page.raw = path.read_text(encoding="utf-8")
            page.feed(page.raw)
            out[path.relative_to(settings.reports_dir).as_posix()] = page
    return out


def test_tables_have_captions_and_scoped_headers_and_charts_text(settings: Settings):
    pages = _pages(settings)
    assert len(pages) >= 5
    for name, page in pages.items():
        for t in page.tables:
            assert t["caption"] and t["first"] == "caption", (name, t["text"][:80])
            assert t["th"] and all(s in ("col", "row") for s in t["th"]), (name, t["text"][:80])
        for svg in page.svgs:
            assert svg.get("aria-hidden") == "true" or (
                svg.get("role") == "img" and svg["title"] and svg["desc"]), name


def test_readers_see_no_codes(settings: Settings):
    codes = ("DEPRESSION", "PHQ9", "phq9_total", "mart_", "hetu_valid", "cost_in_range",
             "too_few_pairs", "as_expected", "Great Expectations", "obligations-sarja")
    for name, page in _pages(settings).items():
        text = " ".join(page.text)
        for code in codes:
            assert code not in text, (name, code)
        assert 'class="en"' not in page.raw, name  # one language, no English glosses


def test_no_table_has_two_columns_of_the_same_name(settings: Settings):
    heads = 0
    for name, page in _pages(settings).items():
        for cells in header_rows(page.raw):
            assert len(cells) == len(set(cells)), (name, cells)
            heads += 1
    assert heads >= 10
