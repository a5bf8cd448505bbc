"""Planted provider roles: which providers the seed picks for the findings, and how strong.

Among the providers of PLANTED_PACKAGE the seed picks a better and a worse provider (a
treatment effect of their own on EQ-5D and PHQ-9, drawn from the stated ranges), a
sicker-clients provider (its clients are clearly sicker at baseline through recorded
factors, with no effect of its own: `arvo.demo.casemix`), a small provider (few clients,
under the definitions' verdicts.min_pairs pairs) and an under-collecting provider
(collects few questionnaires).
Every provider also has a modest random variation of its own in every package
(PROVIDER_SPREAD), small enough that a funnel plot's overdispersion allowance absorbs it:
the planted truth calls those cells null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arvo import prom_measures

#: The package the outcome roles play in (the one with enough providers for a funnel).
PLANTED_PACKAGE = "DEPRESSION"
#: Effect ranges (low, high), drawn uniformly per seed, of the better and worse providers in
#: PLANTED_PACKAGE: latent EQ-5D steps added to the package's improvement (spread over the
#: dimensions by PromModel.eq_weights) and PHQ-9 points of extra fall at follow-up. At the
#: default demo's 40+ pairs they lie well beyond a funnel's 99.8 % limits on both the EQ-5D
#: index and the PHQ-9 total.
BETTER_EQ = (0.6, 0.85)
BETTER_PHQ = (3.6, 4.8)
WORSE_EQ = (-0.85, -0.6)
WORSE_PHQ = (-4.8, -3.6)
#: Every provider's own variation in every package: normal with these SDs (latent EQ-5D
#: steps, PHQ-9 points); about a tenth of the planted effects, within the overdispersion a
#: funnel plot allows for.
PROVIDER_SPREAD = (0.03, 0.25)
#: How strongly the sicker-clients provider draws sicker clients: its odds of taking a client
#: are multiplied by exp(pull x the client's recorded sickness score), pull in this range.
SICKER_PULL = (2.4, 3.0)
#: The small provider (newly contracted) takes this share of the clients of an average
#: provider of its package.
SMALL_SHARE = (0.08, 0.16)
#: The under-collecting provider's baseline and follow-up collection probabilities, and its
#: share of clients against an average provider's (a large provider that neglects PROMs).
UNDER_COLLECTION = (0.32, 0.22)
UNDER_SHARE = 1.5
#: The instruments whose answers the demo draws (arvo.demo.proms); a package's other
#: instruments get no responses.
SIMULATED_INSTRUMENTS = ("EQ5D5L", "PHQ9")
#: The primary measure of each, the one a funnel plot judges (seed prom_measures).
PRIMARY_MEASURES = {i: prom_measures.primary_measure(i) for i in SIMULATED_INSTRUMENTS}
#: Role names, in the order the truth lists them.
ROLE_NAMES = ("better", "worse", "sicker_clients", "small", "under_collecting")


@dataclass(frozen=True)
class Planted:
    """The planted roles (role -> provider index) and the values drawn for them."""

    package: str
    roles: dict[str, int]
    better: tuple[float, float]  # (latent EQ-5D steps, PHQ-9 points)
    worse: tuple[float, float]
    sicker_pull: float
    small_share: float

    def role_of(self, i: int) -> str | None:
        """The planted role provider `i` plays (None: none)."""
        return next((r for r, j in self.roles.items() if j == i), None)


def plant_roles(rng: np.random.Generator, weights: np.ndarray,
                single_package: np.ndarray) -> Planted | None:
    """Pick the roles among providers with `weights` > 0 and draw their values.

    The small and the under-collecting provider are ones whose only package is
    PLANTED_PACKAGE (`single_package`), so that a newly contracted provider is small
    everywhere and every obligation of the under-collecting one is in that package;
    None if the package has fewer than five providers (a register unlike the demo's).
    """
    eligible = np.flatnonzero(weights > 0)
    if len(eligible) < 5:
        return None
    single = eligible[single_package[eligible]]
    pool = [int(i) for i in rng.permutation(single if len(single) >= 2 else eligible)]
    small, under = pool[0], pool[1]
    rest = [int(i) for i in rng.permutation(eligible) if i not in (small, under)]
    roles = {"better": rest[0], "worse": rest[1], "sicker_clients": rest[2], "small": small,
             "under_collecting": under}
    return Planted(
        package=PLANTED_PACKAGE, roles={r: roles[r] for r in ROLE_NAMES},
        better=(float(rng.uniform(*BETTER_EQ)), float(rng.uniform(*BETTER_PHQ))),
        worse=(float(rng.uniform(*WORSE_EQ)), float(rng.uniform(*WORSE_PHQ))),
        sicker_pull=float(rng.uniform(*SICKER_PULL)),
        small_share=float(rng.uniform(*SMALL_SHARE)))


#: A planted trend over the two years, for the follow-up (docs/follow-up.md) to detect: the
#: region's depression care improves (a stepped-care model introduced during 2024). Every
#: DEPRESSION episode starting on or after TREND_FROM gets extra PHQ-9 fall at follow-up,
#: rising linearly from 0 to TREND_PHQ_FALL points at TREND_FULL and staying there; at every
#: provider alike, so no provider's place on a funnel changes. EQ-5D is left as it was
#: (the follow-up must find no trend there). No random draw depends on it: the seed's other
#: draws are unchanged.
TREND_PACKAGE = "DEPRESSION"
TREND_FROM = "2024-07"
TREND_FULL = "2024-10"
TREND_PHQ_FALL = 6.0


def trend_fall(package: str, start_day: np.ndarray, day0: np.datetime64) -> np.ndarray:
    """PHQ-9 points of extra fall of the planted trend for episodes of `package` starting on
    `start_day` (days counted from `day0`, the demo calendar's first day)."""
    start_day = np.asarray(start_day, dtype=float)
    if package != TREND_PACKAGE:
        return np.zeros(len(start_day))
    lo, hi = ((np.datetime64(m + "-01", "D") - np.datetime64(day0, "D")).astype(np.int64)
              for m in (TREND_FROM, TREND_FULL))
    return TREND_PHQ_FALL * np.clip((start_day - lo) / max(hi - lo, 1), 0.0, 1.0)
