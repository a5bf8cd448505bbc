"""The whole synthetic region, built from the definitions, a seed and sizes.

Pure functions on numpy / pandas (no I/O): `build_region` turns the loaded definitions
(`arvo.definitions.load`) into the frames providers would send, the planted data defects
and the planted truth. Every random draw comes from `numpy.random.default_rng` streams
derived from the seed, one per part of the model, and every ordering is explicit, so the
same seed and sizes give the same frames. The parts: `population` (residents),
`providers` (with the seed's planted roles, `planted`), `events`, `episodes` (with their
case mix, `casemix`), `proms`, `defects` (planted data defects) and `truth` (the planted
truth).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arvo.contract import ENTITIES
from arvo.definitions import Definitions
from arvo.demo.defects import plant_defects
from arvo.demo.episodes import episode_events, finish_episodes, make_episodes, tag_home_care
from arvo.demo.events import Coder, EventBuffer, background_events, finish_events
from arvo.demo.horizon import Calendar, make_calendar
from arvo.demo.population import home_municipalities, make_population, make_states
from arvo.demo.proms import finish_proms, make_proms
from arvo.demo.providers import ProviderPlan, plan_providers
from arvo.demo.truth import planted_truth


@dataclass
class Region:
    """Everything generated: frames to write (contract columns + provider_id, month) and truth.

    `events`, `episodes` and `proms` hold the contract columns in order, then `provider_id`,
    `month` (the submission folder) and `source_row` (1-based row in that file), then
    internal columns (`person`, `day`, ...). `residents` is the population (with HETUs).
    """

    calendar: Calendar
    residents: pd.DataFrame
    events: pd.DataFrame
    episodes: pd.DataFrame
    proms: pd.DataFrame
    defects: list[dict[str, Any]]
    truth: dict[str, Any]
    plan: ProviderPlan


def build_region(defs: Definitions, *, seed: int = 42, residents: int = 50_000,
                 months: int = 24, start_month: str = "2024-01") -> Region:
    """Generate the whole region deterministically from `seed` and the sizes."""
    if residents < 100:
        raise ValueError("residents must be at least 100")
    cal = make_calendar(start_month, months)
    ss = np.random.SeedSequence(seed)
    names = ("population", "providers", "states", "background", "episodes", "visits", "proms",
             "costs", "ids", "late", "defects", "schedules", "municipality")
    rngs = {k: np.random.default_rng(s) for k, s in zip(names, ss.spawn(len(names)),
                                                         strict=True)}
    services = list(defs.service_codes)
    pop = make_population(rngs["population"], residents, cal)
    # a stream of its own, spawned last: the other streams draw as before
    pop["municipality"] = home_municipalities(rngs["municipality"], residents)
    plan = plan_providers(rngs["providers"], defs)
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

    events = finish_events(rngs, ev, pop, plan, services, coder, cal)
    episodes, ep_ids = finish_episodes(rngs["ids"], eps, pop, plan, cal)
    lookup = np.append(ep_ids, None)  # -1 (no episode) -> None
    events["episode_id"] = lookup[np.where(events["episode"] >= 0, events["episode"], -1)]
    columns = ENTITIES["events"].names
    events = events[columns + [c for c in events.columns if c not in columns]]
    prom_frame = finish_proms(rngs["ids"], proms, pop, plan, cal, ep_ids)
    clean = {"events": events.copy(), "episodes": episodes, "proms": prom_frame.copy()}
    defects = plant_defects(rngs["defects"], events, prom_frame, plan, defs)
    truth = planted_truth(defs, plan, cal, pop, states, clean, defects,
                          seed=seed, residents=residents)
    return Region(cal, pop, events, episodes, prom_frame, defects, truth, plan)

