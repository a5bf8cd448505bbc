"""Whisker chart coordinates (arvo/report/charts.py)."""

from __future__ import annotations

from arvo.report.charts import plot


def test_one_scale_with_zero_for_all_items():
    items = [{"mean": -6.0, "se": 0.5, "peer": -4.0, "flag": "better"},
             {"mean": -2.0, "se": 0.5, "peer": -5.0, "flag": "worse"},
             {"mean": None, "se": None, "peer": None, "flag": None}]
    plot(items, z=2.0, width=220)
    a, c, none = (it["plot"] for it in items)
    assert none is None
    assert a["w"] == 220 and a["zero"] == c["zero"]
    assert 8 <= a["lo"] < a["mean"] < a["hi"] < c["mean"] < a["zero"] <= 212
    assert a["flag"] == "better" and c["peer"] < a["peer"]
