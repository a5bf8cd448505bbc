"""Coordinates of the inline SVG funnel plots (reports/templates/macros.html.j2).

A funnel plot (Spiegelhalter 2005; docs/verdicts.md) shows each provider's case-mix
adjusted mean follow-up (y) against its pairs (x), the target (the mean of all pairs)
and the 95 % and 99.8 % limits as functions of the pairs n:

    theta +- z * sqrt(residual_sd^2 / n + tau2)        additive overdispersion
    theta +- z * sqrt(phi) * residual_sd / sqrt(n)     multiplicative
    theta +- z * residual_sd / sqrt(n)                 none

with the correction mart_provider_funnel records for the package and measure.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from arvo.messages import DEFAULT_LANGUAGE
from arvo.report.formatting import number, pct, stable
from arvo.verdicts.funnel import Z95, Z998

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 14, 40
"""The plot box inside the chart; the right margin holds the points' labels."""

CURVE_POINTS = 60


@dataclass(frozen=True)
class Limits:
    """The funnel's limits of one package x measure, as the mart records them."""

    theta: float
    residual_sd: float
    method: str = "none"  # additive | multiplicative | none
    tau2: float = 0.0
    phi: float | None = None

    def spread(self, n: float) -> float:
        """The standard error the limits use at `n` pairs, after any overdispersion."""
        s2 = self.residual_sd ** 2 / n
        if self.method == "additive":
            return math.sqrt(s2 + (self.tau2 or 0.0))
        if self.method == "multiplicative" and self.phi:
            return math.sqrt(self.phi) * math.sqrt(s2)
        return math.sqrt(s2)

    def at(self, n: float, z: float) -> tuple[float, float]:
        """(lower, upper) limit at `n` pairs for the normal quantile `z`."""
        half = z * self.spread(n)
        return self.theta - half, self.theta + half


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering lo..hi (1, 2 or 5 times a power of ten apart)."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


LABEL_HEIGHT, CHAR_WIDTH = 12, 6.2
"""Roughly how much room a point's label takes (font size 11)."""


def place_labels(points: list[dict[str, Any]]) -> None:
    """Set each labelled point's `label_y`: its own height, moved down 2 at a time while
    it would overlap a label placed before it (points from the top). The labels placed
    are kept by height, so each step looks only at those near it: a chart of hundreds of
    labelled providers (the steering report's) is placed in linear rather than quadratic
    steps, to the same heights."""
    placed: list[tuple[float, float, float]] = []  # y, x from, x to; in order of y
    for p in sorted((p for p in points if p.get("label")), key=lambda p: (p["y"], p["x"])):
        left, right = p["x"] + 8, p["x"] + 8 + CHAR_WIDTH * len(p["label"])
        heights = [y for y, x_from, x_to in placed if left < x_to and x_from < right]
        at = p["y"] + 4
        while _overlaps(at, heights):
            at += 2
        p["label_y"] = round(at, 1)
        insort(placed, (at, left, right))


def _overlaps(at: float, heights: list[float]) -> bool:
    """Whether a label at height `at` is closer than LABEL_HEIGHT to one of `heights`
    (sorted): the heights within a margin of a pixel beyond it are tested."""
    i = bisect_left(heights, at - LABEL_HEIGHT - 1)
    while i < len(heights) and heights[i] <= at + LABEL_HEIGHT + 1:
        if abs(at - heights[i]) < LABEL_HEIGHT:
            return True
        i += 1
    return False


def funnel(points: list[dict[str, Any]], limits: Limits, decimals: int,
           min_pairs: int | None = None, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Chart coordinates, the axes' figures in `lang`. `points` have `pairs`, `value`
    (adjusted mean), `marker` and `label` (None: unlabelled); each gets `x` and `y`. The
    limit curves are SVG paths
    clipped to the plot box by the template."""
    frame = _frame(tuple((p["pairs"], p["value"]) for p in points), limits, decimals,
                   min_pairs, lang)
    for p, (x, y) in zip(points, frame["at"], strict=True):
        p["x"], p["y"] = x, y
    place_labels(points)
    return {
        "w": WIDTH, "h": HEIGHT, "box": dict(frame["box"]), "target": frame["target"],
        "curves": {k: list(v) for k, v in frame["curves"].items()},
        "xticks": [dict(t) for t in frame["xticks"]],
        "yticks": [dict(t) for t in frame["yticks"]],
        "points": points,
    }


@lru_cache(maxsize=64)
def _frame(at: tuple[tuple[float, float], ...], limits: Limits, decimals: int,
           min_pairs: int | None, lang: str) -> dict[str, Any]:
    """What a funnel plot draws of its points `at` ((pairs, value) each): their
    coordinates, the target, the limit curves and the axes. The feedback of each provider
    of a package draws the same points (only its own is marked), so they are computed
    once (for hundreds of providers: docs/performance-history.md, "Earlier
    measurements")."""
    x_max = max([n for n, _ in at] + [min_pairs or 0, 10]) * 1.08
    n_anchor = max(min_pairs or 0, min([n for n, _ in at] or [10]), 5)
    values = [v for _, v in at] + [limits.theta]
    values += list(limits.at(n_anchor, Z998))
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.06 or abs(limits.theta) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    box_w, box_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(n: float) -> float:
        return round(stable(LEFT + n / x_max * box_w), 1)

    def y(v: float) -> float:
        return round(stable(TOP + (hi - v) / (hi - lo) * box_h), 1)

    start = max(1.0, x_max / 200)
    ns = [start * (x_max / start) ** (i / (CURVE_POINTS - 1)) for i in range(CURVE_POINTS)]

    def path(z: float, side: int) -> str:
        return "M" + " L".join(f"{x(n)},{y(limits.at(n, z)[side])}" for n in ns)

    return {
        "at": [(x(n), y(v)) for n, v in at],
        "box": {"x": LEFT, "y": TOP, "w": box_w, "h": box_h,
                "right": LEFT + box_w, "bottom": TOP + box_h},
        "target": y(limits.theta),
        "curves": {"95": [path(Z95, 0), path(Z95, 1)],
                   "998": [path(Z998, 0), path(Z998, 1)]},
        "xticks": [{"at": x(t), "label": number(t, 0, lang)} for t in ticks(0, x_max)],
        "yticks": [{"at": y(t), "label": number(t, decimals, lang)} for t in ticks(lo, hi)],
    }


LORENZ_SIZE, LORENZ_MARGIN = 320, 44
"""The Lorenz chart is square: the plot box's side and the margin for the axes."""


def lorenz(points: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Coordinates of a Lorenz curve (docs/definition.md): `points` have `percentile`
    (0..100, share of clients from the lowest cost) and `cost_share` (0..1, their share
    of all costs). The curve is an SVG path over the points in order of percentile; the
    diagonal is an even split; ticks every 20 per cent, labelled in `lang`."""
    side, m = LORENZ_SIZE, LORENZ_MARGIN

    def x(p: float) -> float:
        return round(stable(m + p / 100 * side), 1)

    def y(share: float) -> float:
        return round(stable(m / 2 + (1 - share) * side), 1)

    ordered = sorted((p for p in points if p.get("cost_share") is not None),
                     key=lambda p: p["percentile"])
    path = "M" + " L".join(f"{x(p['percentile'])},{y(float(p['cost_share']))}"
                           for p in ordered) if ordered else ""
    return {
        "w": side + m + 12, "h": side + m + m // 2,
        "box": {"x": m, "y": m / 2, "w": side, "h": side, "right": m + side,
                "bottom": m / 2 + side},
        "curve": path,
        "diagonal": f"M{x(0)},{y(0)} L{x(100)},{y(1)}",
        "xticks": [{"at": x(t), "label": pct(t / 100, 0, lang)} for t in range(0, 101, 20)],
        "yticks": [{"at": y(t / 100), "label": pct(t / 100, 0, lang)}
                   for t in range(0, 101, 20)],
    }
