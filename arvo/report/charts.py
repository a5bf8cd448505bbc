"""Coordinates of the inline SVG whisker charts (reports/templates/macros.html.j2)."""

from __future__ import annotations

from typing import Any

from arvo.report.formatting import stable


def plot(items: list[dict[str, Any]], z: float, width: int = 220) -> None:
    """Add to each item the x coordinates of its mean ± z SE whisker and its peers' mean.

    Items have `mean`, `se`, `peer` and `flag`; all items of one chart share one scale,
    which always includes zero. An item without a mean gets `plot = None`.
    """
    values = [0.0]
    for it in items:
        if it["se"] is not None and it["mean"] is not None:
            values += [it["mean"] - z * it["se"], it["mean"] + z * it["se"]]
        if it["peer"] is not None:
            values.append(it["peer"])
        if it["mean"] is not None:
            values.append(it["mean"])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 0.05
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return round(stable(8 + (v - lo) / (hi - lo) * (width - 16)), 1)

    for it in items:
        if it["mean"] is None:
            it["plot"] = None
            continue
        se = it["se"] or 0.0
        it["plot"] = {
            "w": width, "zero": x(0.0), "mean": x(it["mean"]),
            "lo": x(it["mean"] - z * se), "hi": x(it["mean"] + z * se),
            "peer": None if it["peer"] is None else x(it["peer"]),
            "flag": it["flag"] or "none",
        }
