"""Finnish numbers and dates (the default language), the window
(arvo/report/formatting.py)."""

from __future__ import annotations

import pytest

from arvo.report.disclosure import SUPPRESSED
from arvo.report.formatting import day, eur, integer, month, number, pct, pp, signed, window


def test_finnish_number_formatting():
    assert number(1234567.891) == "1 234 567,89"
    assert number(-0.001) == "0,00"
    assert number(None) == "–"
    assert integer(1234567.5) == "1 234 568"
    assert eur(3092.78) == "3 093 €"
    assert eur(1234.5, 2) == "1 234,50 €"
    assert pct(0.1234) == "12,3 %"
    assert signed(0.0521, 3) == "+0,052"
    assert signed(-4.5, 1) == "-4,5"
    assert pp(-0.2) == "-20,0 %-yks."
    assert "&lt;5" in str(number(SUPPRESSED))
    assert "&lt;5" in str(eur(SUPPRESSED)) and "€" not in str(eur(SUPPRESSED))


def test_finnish_dates():
    import datetime as dt

    assert day(dt.date(2025, 6, 30)) == "30.6.2025"
    assert month("2025-06") == "kesäkuu 2025"


def test_window_covers_twelve_months():
    w = window("2025-06")
    assert w.months[0] == "2024-07" and w.months[-1] == "2025-06" and len(w.months) == 12
    assert str(w.end) == "2025-06-30"
    assert w.label == "heinäkuu 2024 – kesäkuu 2025"
    with pytest.raises(ValueError):
        window("2025-13")


def test_noise_in_the_last_bits_does_not_change_what_is_shown():
    # DuckDB sums doubles in parallel: a mean on a rounding midpoint varies in its last bits
    for decimals, mid in ((3, 0.6435), (1, 12.25), (2, -0.125), (0, 12345678.5)):
        shown = {number(mid * (1 + noise), decimals)
                 for noise in (-3e-15, 0.0, 3e-15, 1e-14)}
        assert len(shown) == 1, shown
        # and a midpoint is rounded half away from zero, as by hand
        assert shown == {{3: "0,644", 1: "12,3", 2: "-0,13", 0: "12 345 679"}[decimals]}
        assert len({signed(mid * (1 + noise), decimals) for noise in (-3e-15, 3e-15)}) == 1


def test_exact_euros_are_shown_as_they_are():
    from decimal import Decimal

    assert eur(Decimal("1234.505"), 2) == "1 234,51 €"
    assert eur(Decimal("109.47"), 2) == "109,47 €"
    assert number(-0.0001, 2) == "0,00"


def test_generated_follows_source_date_epoch(monkeypatch):
    from arvo.report.formatting import generated

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735725600")  # 2025-01-01 10:00 UTC
    assert generated("fi") == "1.1.2025 klo 12.00"  # Helsinki, UTC+2 in winter
    assert generated("en").startswith("Jan 1, 2025")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert generated("fi") != "1.1.2025 klo 12.00"


def test_compiled_templates_are_cached_and_a_changed_template_is_compiled_again(tmp_path):
    """Jinja2's bytecode cache keeps a template's compiled code for the next process; an
    entry whose template source changed is not used."""
    from pathlib import Path

    from arvo.report import formatting

    (tmp_path / "t.html.j2").write_text("first {{ 1 | integer }}", encoding="utf-8")
    env = formatting.environment(tmp_path, "fi")
    cache = formatting._bytecode()
    assert cache is not None and env.bytecode_cache is cache
    assert env.get_template("t.html.j2").render() == "first 1"
    key = cache.get_cache_key("t.html.j2", str(tmp_path / "t.html.j2"))
    cached = Path(cache.directory) / f"arvo-{formatting._COMPILED_UNDER}-{key}.cache"
    assert cached.is_file()

    (tmp_path / "t.html.j2").write_text("second {{ 2 | integer }}", encoding="utf-8")
    formatting._environment.cache_clear()  # as a new process would start
    assert formatting.environment(tmp_path, "fi").get_template("t.html.j2").render() == "second 2"
