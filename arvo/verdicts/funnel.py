"""The funnel-plot rule: which providers are alarms, alerts or as expected.

Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
2005;24:1185-1202; and Handling over-dispersion of performance indicators. Qual Saf
Health Care 2005;14:347-351. For one package x measure:

- each provider's outcome y_i (its case-mix adjusted mean follow-up, or the observed
  mean for the unadjusted comparison) is compared with the target theta (the mean of
  all pairs) with standard error s_i = sd / sqrt(n_i);
- z_i = (y_i - theta) / s_i. Overdispersion is estimated from the z-scores of the
  providers with at least `min_pairs` pairs, winsorised at the `winsorise` and
  1 - `winsorise` quantiles: phi = mean(z_w^2). With I such providers the data show
  overdispersion when I * phi exceeds the 95 % point of chi-square with I - 1 degrees
  of freedom (theta is estimated from the same data); then
  - `additive` (random effects): tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 /
    sum w)), w_i = 1 / s_i^2, and limits theta +- z_p sqrt(s_i^2 + tau^2);
  - `multiplicative`: limits theta +- z_p sqrt(phi) s_i;
  - `none`: limits theta +- z_p s_i (NHS PROMs draws its funnels so).
  With fewer than three such providers overdispersion is not estimated.
- beyond the 99.8 % limits (z_p = 3.090) is an alarm, beyond the 95 % limits (1.960)
  an alert, better or worse by the measure's direction; a provider with fewer than
  `min_pairs` pairs is never flagged ("too few pairs").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

# scipy.special, not scipy.stats: the same functions scipy.stats' norm.ppf and chi2.ppf
# evaluate, without importing scipy.stats (about 0.5 s, paid in the dbt build's Python
# model int_provider_funnels_judged and again by the reports' charts)
from scipy import special

Overdispersion = Literal["additive", "multiplicative", "none"]
Z95 = float(special.ndtri(0.975))  # 1.959964, the standard normal's 97.5 % point
Z998 = float(special.ndtri(0.999))  # 3.090232, its 99.9 % point


def chi2_ppf(q: float, df: float) -> float:
    """The `q` point of chi-square with `df` degrees of freedom (scipy.stats' chi2.ppf)."""
    return float(2 * special.gammaincinv(df / 2, q))


@dataclass(frozen=True)
class Rules:
    """How a funnel judges (definitions/verdicts.yml)."""

    min_pairs: int = 30
    overdispersion: Overdispersion = "additive"
    winsorise: float = 0.10


@dataclass
class Judgement:
    """Per provider: z-score after any overdispersion, limits, level and direction."""

    z: np.ndarray  # (y - theta) / sqrt(s^2 + tau^2), or / (sqrt(phi) s)
    inflation: np.ndarray  # the factor s_i is widened by (1 when none)
    lower95: np.ndarray
    upper95: np.ndarray
    lower998: np.ndarray
    upper998: np.ndarray
    level: np.ndarray  # alarm | alert | none | too_few_pairs
    direction: np.ndarray  # better | worse | as_expected | None (too few pairs)
    phi: float | None  # winsorised mean squared z (None: not estimated)
    overdispersed: bool
    method: str  # the correction applied: additive | multiplicative | none
    tau2: float  # additive between-provider variance (0 unless additive applied)


def overdispersion(z: np.ndarray, winsorise: float) -> float | None:
    """Spiegelhalter's phi: the mean of the squared z-scores winsorised at both tails."""
    if len(z) < 3:
        return None
    lo, hi = np.quantile(z, [winsorise, 1 - winsorise])
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def judge(y: np.ndarray, se: np.ndarray, pairs: np.ndarray, theta: float,
          higher_is_better: bool, rules: Rules) -> Judgement:
    """Judge providers with outcomes `y`, standard errors `se` and `pairs` against `theta`."""
    y, se, pairs = (np.asarray(a, dtype=float) for a in (y, se, pairs))
    z0 = (y - theta) / se
    eligible = (pairs >= rules.min_pairs) & np.isfinite(z0)
    phi = overdispersion(z0[eligible], rules.winsorise)
    count = int(eligible.sum())
    overdispersed = (phi is not None and rules.overdispersion != "none"
                     and count * phi > chi2_ppf(0.95, count - 1))
    tau2 = 0.0
    inflation = np.ones_like(se)
    method = "none"
    if overdispersed and rules.overdispersion == "multiplicative":
        inflation = np.full_like(se, np.sqrt(phi))
        method = "multiplicative"
    elif overdispersed:
        w = 1.0 / se[eligible] ** 2
        tau2 = max(0.0, (count * phi - (count - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
        inflation = np.sqrt(se ** 2 + tau2) / se
        method = "additive"
    spread = se * inflation
    z = (y - theta) / spread
    level = np.where(~eligible, "too_few_pairs",
                     np.where(np.abs(z) > Z998, "alarm",
                              np.where(np.abs(z) > Z95, "alert", "none")))
    good = z > 0 if higher_is_better else z < 0
    direction = np.where(~eligible, None,
                         np.where(level == "none", "as_expected",
                                  np.where(good, "better", "worse")))
    return Judgement(z, inflation, theta - Z95 * spread, theta + Z95 * spread,
                     theta - Z998 * spread, theta + Z998 * spread, level, direction.astype(object),
                     phi, bool(overdispersed), method, tau2)


def unjudged(count: int) -> Judgement:
    """`count` providers that cannot be judged (no model to judge them by)."""
    nan = np.full(count, np.nan)
    return Judgement(nan, nan, nan, nan, nan, nan, np.full(count, "too_few_pairs", dtype=object),
                     np.full(count, None, dtype=object), None, False, "none", 0.0)
