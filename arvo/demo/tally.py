"""The planted truth's counts of the generated frames, one block of residents at a time.

A region is generated in blocks of residents (`arvo.demo.region`), each resident's rows in
one block only, so every count the truth states is a sum over blocks: `count_block`
counts one block's residents and clean frames (before the planted defects), `merge` adds
blocks up, and `arvo.demo.truth.planted_truth` turns the sums into the truth's shares,
means and cost concentration. Costs per client are kept as they are (one value a client)
and ranked only at the end, so the shares of the top clients are those of the whole
region.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from arvo.demo.horizon import Calendar
from arvo.demo.population import CONDITIONS

#: Age bands (inclusive) of the truth's mean chronic conditions by age.
CONDITION_AGE_BANDS = ((0, 14), (15, 44), (45, 64), (65, 74), (75, 84), (85, 120))
#: Shares of clients whose share of costs the truth states (cost concentration).
TOP_SHARES = (0.01, 0.05, 0.1, 0.2, 0.5)


@dataclass
class Tally:
    """Additive counts of residents and frames (one block's, or the sum of blocks')."""

    residents: int = 0
    #: residents under 15, 65 and over, 75 and over, women 75 and over
    ages: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))
    conditions: np.ndarray = field(  # residents with each of CONDITIONS
        default_factory=lambda: np.zeros(len(CONDITIONS), np.int64))
    band_conditions: np.ndarray = field(  # chronic conditions summed per CONDITION_AGE_BANDS
        default_factory=lambda: np.zeros(len(CONDITION_AGE_BANDS), np.int64))
    band_residents: np.ndarray = field(
        default_factory=lambda: np.zeros(len(CONDITION_AGE_BANDS), np.int64))
    #: residents in 24-hour housing at the start, in home care at the start, who died
    states: np.ndarray = field(default_factory=lambda: np.zeros(3, np.int64))
    provider_events: np.ndarray | None = None  # event rows per provider (register order)
    episodes: Counter = field(default_factory=Counter)  # (provider, package) -> episodes
    window_clients: int = 0  # clients with an event in the cost window
    window_costs: list[np.ndarray] = field(default_factory=list)  # per client, per block


def cost_window(cal: Calendar) -> tuple[str, str]:
    """The months of the truth's cost concentration: the last 12 (or all, if fewer)."""
    labels = cal.labels
    return (labels[-12] if len(labels) >= 12 else labels[0], labels[-1])


def count_block(cal: Calendar, providers: int, pop: pd.DataFrame, states: pd.DataFrame,
                events: pd.DataFrame, episodes: pd.DataFrame) -> Tally:
    """One block's counts: its residents, and its event and episode rows before defects."""
    age = pop["age"].to_numpy()
    female = (pop["sex"] == "F").to_numpy()
    nc = pop["n_conditions"].to_numpy()
    bands = [(age >= lo) & (age <= hi) for lo, hi in CONDITION_AGE_BANDS]
    first, last = (cal.labels.index(m) for m in cost_window(cal))
    day = events["day"].to_numpy()  # the event date, counted from the calendar's start
    since = day >= cal.month_offsets[first]
    in_window = since & (day < cal.month_offsets[last + 1])
    # per client (a person: one identity code), summed in row order as pandas does
    per_client = events.loc[in_window].groupby("person")["cost_eur"].sum().to_numpy()
    eps = episodes.groupby(["provider", "package_code"])["episode_id"].nunique()
    return Tally(
        residents=len(pop),
        ages=np.array([(age < 15).sum(), (age >= 65).sum(), (age >= 75).sum(),
                       (female & (age >= 75)).sum()], dtype=np.int64),
        conditions=np.array([pop[c.key].sum() for c in CONDITIONS], dtype=np.int64),
        band_conditions=np.array([nc[b].sum() for b in bands], dtype=np.int64),
        band_residents=np.array([b.sum() for b in bands], dtype=np.int64),
        states=np.array([(states["house_start"] == 0).sum(), (states["home_start"] == 0).sum(),
                         (states["death_day"].to_numpy() < cal.n_days).sum()], dtype=np.int64),
        provider_events=np.bincount(events["provider"].to_numpy(), minlength=providers),
        episodes=Counter({(int(p), str(k)): int(v) for (p, k), v in eps.items()}),
        window_clients=len(np.unique(events["person"].to_numpy()[since])),
        window_costs=[per_client])


def merge(tallies: list[Tally]) -> Tally:
    """The sum of blocks' tallies."""
    total = Tally()
    for t in tallies:
        total.residents += t.residents
        for name in ("ages", "conditions", "band_conditions", "band_residents", "states"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        total.provider_events = (t.provider_events if total.provider_events is None
                                 else total.provider_events + t.provider_events)
        total.episodes.update(t.episodes)
        total.window_clients += t.window_clients
        total.window_costs.extend(t.window_costs)
    return total


def top_share(per_client: np.ndarray, top: float) -> float:
    """Share of costs of the top `top` share of clients with costs (one value a client)."""
    per = pd.Series(per_client)
    per = per[per > 0].sort_values(ascending=False)
    k = max(1, int(round(len(per) * top)))
    return float(per.iloc[:k].sum() / per.sum())
