"""The synthetic region, built from the definitions, a seed and sizes, a block at a time.

Pure functions on numpy / pandas (no I/O). `plan_region` makes what the whole region
shares once: the calendar and the providers (with the seed's planted roles, `planted`).
`build_block` generates one block of residents (`arvo.demo.blocks`: at most 50,000 by
default) and everything they do: `population` (residents), `events`, `episodes` (with
their case mix, `casemix`), `proms`, the planted data `defects` (first block only) and
the block's counts for the planted truth (`tally`). Every random draw comes from
`numpy.random.default_rng` streams derived from the seed and the block, one per part of
the model, and every ordering is explicit, so the same seed and sizes give the same
frames; a region of one block is the region as it was before blocks. A resident's rows
are all in one block; record IDs and rows in the provider-month files continue from
block to block (`blocks.Carry`). `arvo.demo.generate` writes block after block;
`build_region` keeps them all in memory (tests, small regions).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arvo.contract import ENTITIES
from arvo.definitions import Definitions
from arvo.demo.blocks import BLOCK_SIZE, Carry, block_sizes, streams
from arvo.demo.defects import plant_defects
from arvo.demo.episodes import episode_events, finish_episodes, make_episodes, tag_home_care
from arvo.demo.events import Coder, EventBuffer, background_events, finish_events
from arvo.demo.horizon import Calendar, make_calendar
from arvo.demo.population import (
    home_municipalities,
    identity_keys,
    make_population,
    make_states,
)
from arvo.demo.proms import finish_proms, make_proms
from arvo.demo.providers import ProviderPlan, plan_providers
from arvo.demo.tally import Tally, count_block, merge
from arvo.demo.texts import pick
from arvo.demo.truth import planted_truth


@dataclass(frozen=True)
class RegionPlan:
    """What every block of the region shares: definitions, seed, sizes, calendar, providers."""

    defs: Definitions
    seed: int
    residents: int
    calendar: Calendar
    plan: ProviderPlan
    block_size: int = BLOCK_SIZE

    @property
    def blocks(self) -> list[int]:
        """Residents of each block."""
        return block_sizes(self.residents, self.block_size)


@dataclass
class Block:
    """One block of residents and the frames to write (contract columns + provider_id, month).

    `events`, `episodes` and `proms` hold the contract columns in order, then `provider_id`,
    `month` (the submission folder) and `source_row` (1-based row in that file, after the
    rows of earlier blocks), then internal columns (`person`, `day`, ...; `person` and
    `episode` count within the block). `residents` is the block's population (with HETUs).
    """

    index: int
    residents: pd.DataFrame
    events: pd.DataFrame
    episodes: pd.DataFrame
    proms: pd.DataFrame
    defects: list[dict[str, Any]]
    tally: Tally


@dataclass
class Region:
    """Everything generated, in memory: the blocks' frames one after the other, and truth.

    Like a `Block`'s frames, with `person` and `episode` numbered over the whole region.
    """

    calendar: Calendar
    residents: pd.DataFrame
    events: pd.DataFrame
    episodes: pd.DataFrame
    proms: pd.DataFrame
    defects: list[dict[str, Any]]
    truth: dict[str, Any]
    plan: ProviderPlan


def plan_region(defs: Definitions, *, seed: int = 42, residents: int = 50_000,
                months: int = 24, start_month: str = "2024-01",
                block_size: int = BLOCK_SIZE) -> RegionPlan:
    """The calendar and the provider plan (with the planted roles), made once a region."""
    if residents < 100:
        raise ValueError("residents must be at least 100")
    cal = make_calendar(start_month, months)
    plan = plan_providers(streams(seed)["providers"], defs)
    return RegionPlan(defs, seed, residents, cal, plan, block_size)


def build_block(rp: RegionPlan, index: int, residents: int, carry: Carry) -> Block:
    """Generate block `index` of `residents` residents; `carry` passes on to the next."""
    defs, cal, plan = rp.defs, rp.calendar, rp.plan
    rngs = streams(rp.seed, index)
    services = list(defs.service_codes)
    pop = make_population(rngs["population"], residents, cal, taken=carry.taken)
    carry.take(identity_keys(pop))
    # a stream of its own, spawned last: the other streams draw as before
    pop["municipality"] = home_municipalities(rngs["municipality"], residents)
    hw = plan.service_weights.get("HOUSING_DAY", np.zeros(len(defs.providers)))
    cw = plan.service_weights.get("HOME_CARE_VISIT", np.zeros(len(defs.providers)))
    all_p = np.arange(len(defs.providers))
    mw = np.array([r in ("social", "mental_health_third") for r in plan.roles], dtype=float)
    states = make_states(rngs["states"], pop, cal, all_p, hw if hw.sum() else np.ones_like(hw),
                         all_p, cw if cw.sum() else np.ones_like(cw),
                         all_p, mw if mw.sum() else np.ones_like(mw))
    coder = Coder(pop)
    buf = EventBuffer()
    background_events(rngs["background"], pop, states, plan, services, coder, cal, buf)
    eps = make_episodes(rngs["episodes"], pop, states, plan, defs, cal)
    episode_events(rngs["visits"], pop, states, eps, plan, services, coder, cal, buf)
    ev = buf.frame()
    keep = ev["day"] < np.minimum(states["death_day"].to_numpy()[ev["person"]], cal.n_days)
    ev = {k: v[keep] for k, v in ev.items()}
    if "HOME_CARE_VISIT" in services:
        tag_home_care(ev, eps, services.index("HOME_CARE_VISIT"))
    proms = make_proms(rngs["proms"], pop, states, eps, plan, defs, cal, events=ev,
                       services=services, codes=coder.table, schedule_rng=rngs["schedules"])

    events = finish_events(rngs, ev, pop, plan, services, coder, cal, carry)
    episodes, ep_ids = finish_episodes(rngs["ids"], eps, pop, plan, cal, carry)
    events["episode_id"] = pick(ep_ids, events["episode"].to_numpy())  # -1: no episode
    columns = ENTITIES["events"].names
    events = events[columns + [c for c in events.columns if c not in columns]]
    prom_frame = finish_proms(rngs["ids"], proms, pop, plan, cal, ep_ids, carry)
    # counted before the defects are planted: the truth counts the clean frames
    tally = count_block(cal, len(plan.providers), pop, states, events, episodes)
    # the planted defects are in the first block's rows (the same rows in the files)
    defects = plant_defects(rngs["defects"], events, prom_frame, plan, defs) if index == 0 else []
    return Block(index, pop, events, episodes, prom_frame, defects, tally)


def generate_blocks(rp: RegionPlan) -> Iterator[Block]:
    """The region's blocks in turn (each generated when the previous one is done with)."""
    carry = Carry()
    for index, residents in enumerate(rp.blocks):
        yield build_block(rp, index, residents, carry)


def region_truth(rp: RegionPlan, tallies: list[Tally], defects: list[dict[str, Any]]) -> dict:
    """The planted truth of the region from its blocks' counts and the planted defects."""
    return planted_truth(rp.defs, rp.plan, rp.calendar, merge(tallies), defects,
                         seed=rp.seed, residents=rp.residents)


def build_region(defs: Definitions, *, seed: int = 42, residents: int = 50_000,
                 months: int = 24, start_month: str = "2024-01",
                 block_size: int = BLOCK_SIZE) -> Region:
    """Generate the whole region deterministically from `seed` and the sizes, in memory:
    the frames `arvo.demo.generate` writes, with persons and episodes numbered over the
    region."""
    rp = plan_region(defs, seed=seed, residents=residents, months=months,
                     start_month=start_month, block_size=block_size)
    blocks = list(generate_blocks(rp))
    people = np.cumsum([0] + [len(b.residents) for b in blocks])
    episodes = np.cumsum([0] + [int(b.episodes["episode"].to_numpy().max(initial=-1)) + 1
                                for b in blocks])

    def joined(name: str) -> pd.DataFrame:
        parts = []
        for b, p, e in zip(blocks, people, episodes, strict=False):
            df = getattr(b, name)
            if len(blocks) > 1:
                df = df.assign(**{c: df[c] + p for c in ("person",) if c in df.columns})
                if "episode" in df.columns:
                    df["episode"] = np.where(df["episode"] >= 0, df["episode"] + e, -1)
            parts.append(df)
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    defects = blocks[0].defects
    truth = region_truth(rp, [b.tally for b in blocks], defects)
    return Region(rp.calendar, joined("residents"), joined("events"), joined("episodes"),
                  joined("proms"), defects, truth, rp.plan)
