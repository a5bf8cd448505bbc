"""Writing report files (arvo/report/files.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from arvo.report.files import STAGING, moved, remove_leftovers, staged, write_csv, write_text


def test_csv_opens_in_finnish_excel(tmp_path: Path):
    path = write_csv(tmp_path / "a" / "x.csv", ("a", "b", "c"),
                     [(1.0, None, dt.date(2025, 1, 30)), ("x;y", 2.5, "ä")])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == 'a;b;c\r\n1;;2025-01-30\r\n"x;y";2.5;ä\r\n'
    assert not list(tmp_path.rglob("*.tmp"))


def test_text_replaces_the_old_file(tmp_path: Path):
    write_text(tmp_path / "r.html", "old")
    assert write_text(tmp_path / "r.html", "new").read_text(encoding="utf-8") == "new"


def _settings(tmp_path: Path):
    from tests.conftest import settings_at

    return settings_at(tmp_path / "var")


def test_a_folder_is_swapped_in_whole_and_leaves_no_staging(tmp_path: Path):
    settings = _settings(tmp_path)
    folder = settings.reports_dir / "2025-12"
    write_text(folder / "old_only.html", "old")
    write_text(folder / "both.html", "old")
    with staged(settings, folder) as aside:
        write_text(aside.reports_dir / "2025-12" / "both.html", "new")
        assert (folder / "both.html").read_text() == "old"  # readers see the old folder
        assert (folder / "old_only.html").is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["both.html"]
    assert (folder / "both.html").read_text() == "new"
    assert [p.name for p in settings.reports_dir.iterdir()] == ["2025-12"]


def test_a_failing_render_leaves_the_old_folder(tmp_path: Path):
    settings = _settings(tmp_path)
    folder = settings.reports_dir / "definition" / "2025-12"
    write_text(folder / "definition_report.html", "old")
    try:
        with staged(settings, folder) as aside:
            write_text(aside.reports_dir / "definition" / "2025-12" / "x.html", "half")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert [p.name for p in folder.iterdir()] == ["definition_report.html"]
    assert [p.name for p in settings.reports_dir.iterdir()] == ["definition"]


def test_leftovers_of_a_killed_run_are_removed_but_not_a_running_writers(tmp_path: Path):
    settings = _settings(tmp_path)
    dead = settings.reports_dir / f".2025-11{STAGING}abc" / "2025-11"
    write_text(dead / "steering_report.html", "half")
    with staged(settings, settings.reports_dir / "2025-12") as aside:
        running = Path(aside.reports_dir)
        assert not dead.parent.exists()  # removed when the next run starts
        assert remove_leftovers(settings.reports_dir) == []  # this writer holds its own
        assert running.is_dir()
    assert not running.exists()


def test_the_two_renames_when_the_system_cannot_exchange(tmp_path: Path, monkeypatch):
    from arvo.report import files

    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    settings = _settings(tmp_path)
    folder = settings.reports_dir / "2025-12"
    write_text(folder / "a.html", "old")
    with staged(settings, folder) as aside:
        write_text(aside.reports_dir / "2025-12" / "a.html", "new")
    assert (folder / "a.html").read_text() == "new"
    assert [p.name for p in settings.reports_dir.iterdir()] == ["2025-12"]


def test_moved_names_the_final_places(tmp_path: Path):
    settings = _settings(tmp_path)
    folder = settings.reports_dir / "2025-12"
    with staged(settings, folder) as aside:
        written = [write_text(aside.reports_dir / "2025-12" / "p" / "f.html", "x")]
    (path,) = moved(written, aside, settings)
    assert path == folder / "p" / "f.html" and path.read_text() == "x"
