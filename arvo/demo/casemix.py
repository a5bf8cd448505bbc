"""Case mix: each episode's latent severity, the case-mix fields it is sent with, and pull.

A client entering a package has a latent severity (not recorded) that sets baseline
health (`arvo.demo.proms`), and case-mix fields (the contract's CASE_MIX_CODES) drawn
from it, their age and chronic conditions, with some left empty. Living alone and poor
general health slow recovery a little. The sicker-clients provider draws clients by
their RECORDED fields only, so that given what is recorded (and the baseline score) its
clients fare as anyone's would: a case-mix adjusted comparison finds it average, an
unadjusted one finds it worse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arvo.demo.draws import choose, sigmoid

#: The case-mix fields the demo's providers send (the rest of CASE_MIX_CODES stay out).
SENT_FIELDS = ("living_arrangement", "disability", "symptom_duration", "general_health")
#: Packages where symptom duration means something (a problem treated, not a service need).
DURATION_PACKAGES = ("DEPRESSION", "T2_DIABETES", "HEART_FAILURE", "HIP_KNEE")
#: Share of each sent field left empty (not known), at random.
MISSING_SHARE = 0.06
#: Recovery (the package's expected improvement) is multiplied by 1 - ALONE_SLOWING if the
#: client lives alone and by 1 - HEALTH_SLOWING x (general health - 3) (1 excellent, 5 poor).
ALONE_SLOWING = 0.25
HEALTH_SLOWING = 0.12


def draw_case_mix(rng: np.random.Generator, pop: pd.DataFrame, states: pd.DataFrame,
                  person: np.ndarray, start: np.ndarray, package: str) -> pd.DataFrame:
    """Latent severity, true living alone / general health and the recorded fields."""
    k = len(person)
    age = pop["age"].to_numpy()[person] + start / 365.25
    nc = pop["n_conditions"].to_numpy()[person]
    severity = rng.standard_normal(k)
    g = severity + 0.2 * (nc - 1) + 0.01 * (age - 50) + rng.normal(0, 0.45, k)
    health = 1 + np.digitize(g, (-1.7, -0.7, 0.3, 1.2))
    in_care = states["house_start"].to_numpy()[person] <= start
    alone = ~in_care & (rng.random(k) < sigmoid(-1.4 + 0.025 * (age - 40) + 0.3 * severity))
    other = ~in_care & ~alone & (rng.random(k) < 0.03)
    living = np.where(in_care, 3, np.where(alone, 2, np.where(other, 4, 1)))
    disability = rng.random(k) < sigmoid(-2.2 + 0.6 * severity + 0.35 * nc + 0.02 * (age - 50))
    d = 0.4 * severity + 0.015 * (age - 45) + rng.standard_normal(k)
    duration = 1 + np.digitize(d, (-0.3, 0.9, 1.6))
    recorded = {"living_arrangement": living, "disability": disability.astype(np.int64),
                "symptom_duration": duration, "general_health": health}
    frame = pd.DataFrame({"severity": severity, "alone": alone, "health": health})
    for name in SENT_FIELDS:
        vals = pd.array(recorded[name], dtype="Int64")
        vals[rng.random(k) < MISSING_SHARE] = pd.NA
        if name == "symptom_duration" and package not in DURATION_PACKAGES:
            vals[:] = pd.NA
        frame[name] = vals
    return frame


def recovery(case_mix: pd.DataFrame) -> np.ndarray:
    """How much of the package's expected improvement each client gets (1 = all)."""
    return (1 - ALONE_SLOWING * case_mix["alone"].to_numpy()
            - HEALTH_SLOWING * (case_mix["health"].to_numpy() - 3))


def sickness_score(case_mix: pd.DataFrame) -> np.ndarray:
    """A client's sickness as recorded (empty fields count as average)."""
    health = case_mix["general_health"].astype("Float64").fillna(3).to_numpy(dtype=float)
    living = case_mix["living_arrangement"].fillna(1).to_numpy(dtype=np.int64)
    disability = case_mix["disability"].fillna(0).to_numpy(dtype=np.int64)
    return (health - 3) + (living == 2) + 0.5 * disability


def choose_pulled(rng: np.random.Generator, weights: np.ndarray, j: int, pull: float,
                  score: np.ndarray) -> np.ndarray:
    """Providers by `weights`, provider `j`'s odds multiplied by exp(pull x score).

    The multiplier is scaled so that `j` keeps, on average, the share of clients its
    weight gives it.
    """
    n = len(score)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    others = weights.astype(float).copy()
    others[j] = 0.0
    target = weights[j] / weights.sum()
    odds = weights[j] * np.exp(pull * (score - score.max())) / others.sum()
    lo, hi = 0.0, 60.0  # log scale of the odds, found by bisection
    for _ in range(40):
        mid = (lo + hi) / 2
        share = np.mean(1 / (1 + 1 / (odds * np.exp(mid))))
        lo, hi = (mid, hi) if share < target else (lo, mid)
    p = 1 / (1 + 1 / (odds * np.exp(lo)))
    to_j = rng.random(n) < p
    return np.where(to_j, j, choose(rng, others, n))
