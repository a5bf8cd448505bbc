"""The change of a figure from one steering period to another, with its 95 % interval.

A share: the difference of two proportions with Newcombe's hybrid score interval, built
from the two Wilson intervals (Newcombe 1998, "Interval estimation for the difference
between independent proportions", Stat Med 17:873, method 10), as statsmodels computes
it. A mean: the difference of two independent means with the normal interval (each
mean's standard error from its own 95 % interval). Both treat the two periods as
independent samples; periods less than 12 months apart share months of their windows and
so some clients and pairs, which makes the interval wider than it need be (conservative):
a change called real is real, a small real change may read "no clear change".

A change is `improving` or `worsening` only when its interval excludes 0, in the
direction that is better for the measure; otherwise `no_change`; `not_measurable` when
either end has no figure.
"""

from __future__ import annotations

import math
from typing import Any

from scipy.stats import norm

LEVEL = 0.95
Z = float(norm.ppf(0.5 + LEVEL / 2))
"""1.96: the normal quantile of the two-sided 95 % interval."""

IMPROVING, WORSENING, NO_CHANGE, NOT_MEASURABLE = (
    "improving", "worsening", "no_change", "not_measurable")


def wilson(successes: int, n: int) -> tuple[float | None, float | None]:
    """The Wilson score 95 % interval of successes / n (None, None without n)."""
    if not n:
        return None, None
    from statsmodels.stats.proportion import proportion_confint  # only where it is used

    lo, hi = proportion_confint(successes, n, alpha=1 - LEVEL, method="wilson")
    return float(lo), float(hi)


def rate_change(s1: int | None, n1: int | None, s2: int | None, n2: int | None,
                higher_is_better: bool = True) -> dict[str, Any]:
    """The change of a share from s1/n1 (first period) to s2/n2 (last), Newcombe's hybrid
    score interval of the difference, and its direction."""
    if not n1 or not n2 or s1 is None or s2 is None:
        return {"change": None, "lower": None, "upper": None, "direction": NOT_MEASURABLE}
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(int(s2), int(n2), int(s1), int(n1), method="newcomb",
                                       compare="diff", alpha=1 - LEVEL)
    change = s2 / n2 - s1 / n1
    return _judged(change, float(lo), float(hi), higher_is_better)


def mean_se(lower: float | None, upper: float | None) -> float | None:
    """A mean's standard error from its normal 95 % interval (mean +- 1.96 SE)."""
    if lower is None or upper is None:
        return None
    return (float(upper) - float(lower)) / (2 * Z)


def mean_change(m1: float | None, se1: float | None, m2: float | None, se2: float | None,
                higher_is_better: bool = True) -> dict[str, Any]:
    """The change of a mean from m1 (first period) to m2 (last), the normal interval of the
    difference of independent means (SE = sqrt(se1^2 + se2^2)), and its direction."""
    if None in (m1, se1, m2, se2):
        return {"change": None, "lower": None, "upper": None, "direction": NOT_MEASURABLE}
    change = float(m2) - float(m1)
    se = math.hypot(float(se1), float(se2))
    return _judged(change, change - Z * se, change + Z * se, higher_is_better)


def pooled_mean(groups: list[tuple[int, float, float | None]]) -> dict[str, Any] | None:
    """Pool groups given as (n, mean, SD) into one mean with its SD, standard error and
    95 % interval: the total sum of squares is the groups' within plus between parts
    (exact for the pooled pairs). None without pairs."""
    groups = [(int(n), float(m), float(sd or 0.0)) for n, m, sd in groups if n and m is not None]
    total = sum(n for n, _, _ in groups)
    if total == 0:
        return None
    mean = sum(n * m for n, m, _ in groups) / total
    ss = sum((n - 1) * sd ** 2 + n * (m - mean) ** 2 for n, m, sd in groups)
    sd = math.sqrt(ss / (total - 1)) if total > 1 else None
    se = sd / math.sqrt(total) if sd is not None else None
    return {"n": total, "mean": mean, "sd": sd, "se": se,
            "lower": mean - Z * se if se is not None else None,
            "upper": mean + Z * se if se is not None else None}


def _judged(change: float, lo: float, hi: float, higher_is_better: bool) -> dict[str, Any]:
    """The change with its interval and its direction (better only beyond 0)."""
    if lo > 0 or hi < 0:
        up = lo > 0
        direction = IMPROVING if up == higher_is_better else WORSENING
    else:
        direction = NO_CHANGE
    return {"change": change, "lower": lo, "upper": hi, "direction": direction}
