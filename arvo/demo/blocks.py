"""Blocks of residents: how a region is split, each block's random streams, what carries over.

A large region is generated a block of residents at a time (`arvo.demo.region`), so that
memory stays bounded whatever the region's size. Blocks are near-equal, at most
`block_size` residents each; a region of up to `block_size` residents is one block,
generated exactly as a region was before blocks existed. Each block draws from random
streams of its own, derived from the seed and the block number (block 0: the seed's own
streams). What a block hands to the next (`Carry`): the identity codes taken, so that no
two residents share one; how many record IDs each provider has numbered, so that IDs
continue; and how many rows each provider-month file holds, so that `source_row`
continues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Residents in a block, at most (the default region, 50,000 residents, is one block).
BLOCK_SIZE = 50_000
#: The random streams of a block, one per part of the model (numpy SeedSequence children).
STREAMS = ("population", "providers", "states", "background", "episodes", "visits", "proms",
           "costs", "ids", "late", "defects", "schedules", "municipality")
#: Spawn key of the streams of blocks 1, 2, ...: (BLOCK_STREAMS, block); block 0 has the
#: seed's own children (spawn keys (0,) .. (12,)).
BLOCK_STREAMS = 1_000


def block_sizes(residents: int, block_size: int = BLOCK_SIZE) -> list[int]:
    """Residents of each block: as few blocks as `block_size` allows, near-equal in size."""
    if block_size < 1:
        raise ValueError("block_size must be at least 1")
    k = -(-residents // block_size)
    q, r = divmod(residents, k)
    return [q + 1] * r + [q] * (k - r)


def streams(seed: int, block: int = 0) -> dict[str, np.random.Generator]:
    """The block's random generators by part of the model, from the seed and the block."""
    root = (np.random.SeedSequence(seed) if block == 0
            else np.random.SeedSequence(seed, spawn_key=(BLOCK_STREAMS, block)))
    return {k: np.random.default_rng(s) for k, s in zip(STREAMS, root.spawn(len(STREAMS)),
                                                         strict=True)}


@dataclass
class Carry:
    """What the blocks generated so far hand to the next block."""

    #: identity keys (birth day x 1000 + individual number) of every resident so far
    taken: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: record IDs numbered so far, per entity ("event", "episode", "response") and provider
    ids: dict[str, np.ndarray] = field(default_factory=dict)
    #: rows written so far, per entity and (provider_id, month) file
    rows: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)

    def take(self, keys: np.ndarray) -> None:
        """Mark a block's identity keys as taken."""
        self.taken = np.concatenate([self.taken, np.asarray(keys, np.int64)])

    def number(self, entity: str, provider: np.ndarray, providers: int) -> np.ndarray:
        """IDs each provider has numbered before this block (then count the block's)."""
        before = self.ids.get(entity, np.zeros(providers, np.int64))
        self.ids[entity] = before + np.bincount(provider, minlength=providers)
        return before

    def source_rows(self, entity: str, frame: pd.DataFrame) -> np.ndarray:
        """Each row's 1-based row in its provider-month file (`provider_id`, `month`), after
        the rows earlier blocks put there, in frame order; then count the block's rows."""
        groups = frame.groupby(["provider_id", "month"], sort=False)
        rows = groups.cumcount().to_numpy() + 1
        sizes = groups.size()  # in order of first appearance, as ngroup numbers them
        counts = self.rows.setdefault(entity, {})
        if counts:
            before = np.array([counts.get(k, 0) for k in sizes.index], dtype=np.int64)
            rows = rows + before[groups.ngroup().to_numpy()]
        for k, n in sizes.items():
            counts[k] = counts.get(k, 0) + int(n)
        return rows
