"""Random draws the region's model is built from (numpy generators, vectorised)."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of `p` (clipped away from 0 and 1)."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def poisson_in(rng: np.random.Generator, person: np.ndarray, rate_per_year: np.ndarray,
                lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson event days for each person at `rate_per_year` in days [lo, hi)."""
    span = np.clip(np.asarray(hi) - np.asarray(lo), 0, None)
    lam = np.clip(np.asarray(rate_per_year, dtype=float), 0, None) * span / 365.25
    n = rng.poisson(lam)
    p = np.repeat(person, n)
    start = np.repeat(lo, n)
    width = np.repeat(span, n)
    day = start + np.floor(rng.random(int(n.sum())) * width).astype(np.int64)
    return p, day


def expand(start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index and day for consecutive days [start, start+length) of each row."""
    length = np.clip(length, 0, None).astype(np.int64)
    rows = np.repeat(np.arange(len(start)), length)
    offs = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    return rows, np.repeat(start, length) + offs


def choose(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n draws of an index with probabilities proportional to `weights`."""
    cw = np.cumsum(weights)
    return np.minimum(np.searchsorted(cw / cw[-1], rng.random(n), side="right"),
                      len(weights) - 1)


def pick_true(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """A random True column per row of a boolean matrix, -1 where none."""
    if mask.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    r = rng.random(mask.shape, dtype=np.float32)
    r[~mask] = -1.0
    idx = r.argmax(axis=1).astype(np.int64)
    idx[~mask.any(axis=1)] = -1
    return idx

