"""Funnel plot coordinates (arvo/report/charts.py): the limit curves are the limits the
funnel rule judged by (arvo.verdicts.funnel), for every overdispersion correction."""

from __future__ import annotations

import numpy as np
import pytest

from arvo.report.charts import Limits, funnel, place_labels, ticks
from arvo.verdicts.funnel import Z95, Z998, Rules, judge

PAIRS = np.array([40, 60, 80, 120, 150, 200, 260, 300])
Y = np.array([9.0, 11.5, 8.2, 10.9, 7.6, 9.8, 11.2, 8.4])  # spread beyond chance
SD = 5.0


@pytest.mark.parametrize("method", ["additive", "multiplicative", "none"])
def test_limit_curves_are_the_limits_the_rule_judged_by(method):
    theta = float(np.average(Y, weights=PAIRS))
    j = judge(Y, SD / np.sqrt(PAIRS), PAIRS, theta, higher_is_better=False,
              rules=Rules(min_pairs=30, overdispersion=method))
    assert j.method == method  # the data are overdispersed: the correction applies
    limits = Limits(theta, SD, j.method, j.tau2, j.phi)
    for i, n in enumerate(PAIRS):
        assert limits.at(n, Z95) == pytest.approx((j.lower95[i], j.upper95[i]))
        assert limits.at(n, Z998) == pytest.approx((j.lower998[i], j.upper998[i]))
    if method == "additive":
        assert j.tau2 > 0 and limits.spread(1e9) == pytest.approx(np.sqrt(j.tau2))
    if method == "multiplicative":
        assert limits.spread(100) == pytest.approx(np.sqrt(j.phi) * SD / 10)


def test_chart_coordinates():
    limits = Limits(10.0, SD, "none")
    points = [{"pairs": 50, "value": 12.0, "marker": "diamond", "label": "A"},
              {"pairs": 200, "value": 10.0, "marker": "circle", "label": "B"}]
    c = funnel(points, limits, decimals=1, min_pairs=30)
    a, b = c["points"]
    box = c["box"]
    assert box["x"] < a["x"] < b["x"] <= box["right"]
    assert b["y"] == c["target"] and a["y"] < c["target"]  # higher value: up
    # the 99.8 % curves lie outside the 95 % curves at every n
    def ys(path: str) -> list[float]:
        return [float(p.split(",")[1]) for p in path[1:].split(" L")]
    lo95, hi95 = (ys(p) for p in c["curves"]["95"])
    lo998, hi998 = (ys(p) for p in c["curves"]["998"])
    assert all(h9 <= h5 < c["target"] < l5 <= l9
               for h9, h5, l5, l9 in zip(hi998, hi95, lo95, lo998, strict=True))
    assert [t["label"] for t in c["xticks"]][:2] == ["0", "50"]


def test_ticks_are_round():
    assert ticks(0, 216) == [0, 50, 100, 150, 200]
    assert ticks(7.3, 12.9) == [8, 10, 12]


def test_labels_of_close_points_do_not_overlap():
    points = [{"x": 100.0, "y": 50.0, "label": "Ensimmäinen Oy"},
              {"x": 110.0, "y": 52.0, "label": "Toinen Oy"},
              {"x": 400.0, "y": 51.0, "label": "Kaukana Oy"},
              {"x": 105.0, "y": 90.0, "label": None}]
    place_labels(points)
    first, second, far, unlabelled = points
    assert first["label_y"] == 54.0 and second["label_y"] >= first["label_y"] + 12
    assert far["label_y"] == 55.0 and "label_y" not in unlabelled


def _placed_one_by_one(points):
    """place_labels as first written: every label placed before is tested at each step."""
    placed = []
    for p in sorted((p for p in points if p.get("label")), key=lambda p: (p["y"], p["x"])):
        left, right = p["x"] + 8, p["x"] + 8 + 6.2 * len(p["label"])
        at = p["y"] + 4
        while any(left < x_to and x_from < right and abs(at - y) < 12
                  for x_from, x_to, y in placed):
            at += 2
        p["label_y"] = round(at, 1)
        placed.append((left, right, at))


def test_labels_are_placed_where_testing_every_label_placed_them():
    """The steering report's funnels label hundreds of providers: the labels are placed by
    looking only at those near in height, to the same heights as testing them all."""
    rng = np.random.default_rng(13)
    moved = 0
    for _ in range(300):
        n = int(rng.integers(0, 120))
        crowded = rng.random() < 0.5  # most of the points in a band of 10 px
        points = [{"x": round(float(rng.uniform(56, 490)), 1),
                   "y": round(float(rng.uniform(100, 110) if crowded and rng.random() < 0.8
                                    else rng.uniform(14, 280)), 1),
                   "label": "x" * int(rng.integers(1, 30)) if rng.random() < 0.9 else None}
                  for _ in range(n)]
        expected = [dict(p) for p in points]
        _placed_one_by_one(expected)
        place_labels(points)
        assert points == expected
        moved += sum(p.get("label_y", 0) > p["y"] + 4 for p in points)
    assert moved > 1000  # labels did have to move


def test_charts_of_the_same_points_share_nothing_a_caller_changes():
    """The feedback of each provider of a package draws the same points: their frame is
    computed once, and a chart changed by its report leaves the next one as it was."""
    limits = Limits(10.0, SD, "none")

    def points():
        return [{"pairs": 50, "value": 12.0, "marker": "own", "label": "You"},
                {"pairs": 200, "value": 10.0, "marker": "other", "label": None}]

    first = funnel(points(), limits, decimals=1, min_pairs=30)
    expected = funnel(points(), limits, decimals=1, min_pairs=30)
    assert first == expected
    first["xticks"][0]["label"] = first["curves"]["95"][0] = "changed"
    first["box"]["x"] = -1
    first["points"][0]["x"] = -1
    assert funnel(points(), limits, decimals=1, min_pairs=30) == expected
    moved = funnel([{**points()[0], "value": 14.0}, points()[1]], limits, 1, 30)
    assert moved["points"][0]["y"] != expected["points"][0]["y"]
