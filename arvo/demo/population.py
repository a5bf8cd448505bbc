"""The region's residents: age, sex, identity codes, chronic conditions and life events.

Residents follow a Finnish age and sex structure (2023). Chronic conditions are drawn by
age-dependent prevalence, correlated through a latent frailty so that multimorbidity
grows with age. Older people may live in 24-hour assisted housing or get regular home
care (dementia and frailty raise both); some die during the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from arvo import hetu as hetu_codes
from arvo.demo.draws import choose, logit, sigmoid
from arvo.demo.horizon import Calendar

#: Age bands (lower bound, share of population %), after Statistics Finland 2023.
AGE_BANDS: tuple[tuple[int, float], ...] = (
    (0, 4.6), (5, 5.4), (10, 6.0), (15, 5.6), (20, 5.6), (25, 6.1), (30, 6.4), (35, 6.4),
    (40, 6.2), (45, 5.7), (50, 6.0), (55, 6.2), (60, 6.3), (65, 6.1), (70, 6.0), (75, 5.3),
    (80, 3.2), (85, 1.8), (90, 0.8), (95, 0.2), (100, 0.03),
)
#: Share of women by age (age knots, share): more women among the old.
FEMALE_SHARE = ((0, 0.488), (49, 0.49), (64, 0.50), (74, 0.53), (84, 0.58), (95, 0.70))

_PREV_AGES = (0, 15, 30, 45, 55, 65, 75, 85, 105)

#: Home municipalities (kotikunta) of the region's residents: the larger municipalities of
#: Pirkanmaa (Statistics Finland municipality codes) with weights from their approximate
#: populations in thousands (Statistics Finland, population at the end of 2023, rounded;
#: the demo needs a realistic spread, not exact figures). Every resident has one.
MUNICIPALITIES: tuple[tuple[str, str, float], ...] = (
    ("837", "Tampere", 255), ("536", "Nokia", 35), ("980", "Ylöjärvi", 34),
    ("211", "Kangasala", 34), ("418", "Lempäälä", 25), ("790", "Sastamala", 24),
    ("908", "Valkeakoski", 21), ("604", "Pirkkala", 20), ("020", "Akaa", 16),
    ("108", "Hämeenkyrö", 10), ("508", "Mänttä-Vilppula", 10), ("562", "Orivesi", 9),
)


@dataclass(frozen=True)
class Condition:
    """A chronic condition: ICD-10 codes and prevalence by age (at `_PREV_AGES`)."""

    key: str
    codes: tuple[str, ...]
    prevalence: tuple[float, ...]
    male_rr: float = 1.0
    frailty: float = 0.8


CONDITIONS: tuple[Condition, ...] = (
    Condition("hypertension", ("I10",),
              (0, 0.002, 0.02, 0.09, 0.20, 0.33, 0.45, 0.52, 0.52), 1.1, 0.6),
    Condition("diabetes", ("E11.9", "E11.6", "E11.4", "E11.7"),
              (0, 0.001, 0.01, 0.04, 0.08, 0.13, 0.17, 0.17, 0.14), 1.3),
    Condition("heart_failure", ("I50.0", "I50.9", "I50.1"),
              (0, 0, 0, 0.002, 0.008, 0.025, 0.06, 0.13, 0.18), 1.2),
    Condition("coronary", ("I25.1", "I25.9", "I20.9"),
              (0, 0, 0, 0.008, 0.03, 0.07, 0.13, 0.19, 0.20), 1.6),
    Condition("copd", ("J44.9", "J44.8", "J44.1"),
              (0, 0, 0, 0.008, 0.025, 0.05, 0.07, 0.08, 0.07), 1.3),
    Condition("asthma", ("J45.9", "J45.0", "J45.1"),
              (0.03, 0.06, 0.06, 0.06, 0.07, 0.07, 0.07, 0.06, 0.05), 1.0, 0.4),
    Condition("depression", ("F32.1", "F32.2", "F33.1", "F33.0", "F32.0"),
              (0.002, 0.05, 0.085, 0.075, 0.07, 0.06, 0.05, 0.06, 0.06), 0.7, 0.6),
    Condition("anxiety", ("F41.1", "F41.0", "F41.9"),
              (0.002, 0.04, 0.06, 0.05, 0.04, 0.03, 0.03, 0.03, 0.03), 0.7, 0.5),
    Condition("dementia", ("G30.1", "G30.9", "F03", "F01.9"),
              (0, 0, 0, 0, 0.002, 0.01, 0.04, 0.13, 0.30), 0.9),
    Condition("osteoarthritis", ("M17.1", "M16.1", "M17.0", "M16.9"),
              (0, 0, 0, 0.02, 0.06, 0.11, 0.17, 0.21, 0.20), 0.8, 0.5),
    Condition("substance_use", ("F10.2", "F10.1", "F11.2", "F19.2"),
              (0, 0.006, 0.035, 0.04, 0.035, 0.022, 0.01, 0.004, 0.0), 2.2, 0.6),
)
COND_INDEX = {c.key: i for i, c in enumerate(CONDITIONS)}
MENTAL = ("depression", "anxiety", "substance_use")


def make_population(rng: np.random.Generator, n: int, cal: Calendar,
                    taken: np.ndarray | None = None) -> pd.DataFrame:
    """Residents at the start of the horizon: identity, age, sex, frailty and conditions.

    Identity codes are unique, also against the `taken` identity keys (`identity_keys`) of
    residents drawn before (earlier blocks of the region).
    """
    lows = np.array([b[0] for b in AGE_BANDS])
    shares = np.array([b[1] for b in AGE_BANDS])
    band = choose(rng, shares, n)
    age = lows[band] + rng.integers(0, 5, n)
    fknots = np.array(FEMALE_SHARE)
    female = rng.random(n) < np.interp(age, fknots[:, 0], fknots[:, 1])
    # Birth date: `age` full years before the start, plus a uniform day within the year.
    ref = cal.start - np.timedelta64(1, "D")
    birth = ref - np.floor((age + rng.random(n)) * 365.2425).astype("timedelta64[D]")
    frailty = rng.standard_normal(n)
    cond = np.zeros((n, len(CONDITIONS)), dtype=bool)
    for j, c in enumerate(CONDITIONS):
        p = np.interp(age, _PREV_AGES, c.prevalence)
        rr = np.where(female, 2.0 / (1.0 + c.male_rr), 2.0 * c.male_rr / (1.0 + c.male_rr))
        p = np.clip(p * rr, 0, 0.95)
        shifted = sigmoid(logit(p) + c.frailty * frailty - 0.3 * c.frailty ** 2)
        cond[:, j] = (p > 0) & (rng.random(n) < shifted)
    # A fixed specific code per resident and condition.
    code_choice = np.stack([rng.integers(0, len(c.codes), n) for c in CONDITIONS], axis=1)
    # Individual numbers: odd for men, even for women, unique per birth date.
    male = ~female
    num = 2 * rng.integers(1, 450, n) + male.astype(np.int64)
    bday = birth.astype(np.int64)
    for _ in range(100):
        dup = pd.DataFrame({"b": bday, "z": num}).duplicated().to_numpy()
        if taken is not None and len(taken):
            dup = dup | np.isin(bday * 1000 + num, taken)
        if not dup.any():
            break
        k = int(dup.sum())
        num[dup] = 2 * rng.integers(1, 450, k) + male[dup].astype(np.int64)
    else:  # pragma: no cover - needs > 449 people born on one day
        raise ValueError("too many residents for unique identity codes")
    hetus = np.array([hetu_codes.make(b, int(z)) for b, z in
                      zip(birth.astype(object), num, strict=True)], dtype=object)
    propensity = rng.lognormal(-0.5 * 1.1 ** 2, 1.1, n)  # care-seeking, mean 1
    social_need = (age >= 18) & (rng.random(n) < np.clip(
        0.025 * np.exp(0.5 * frailty) * (1 + 3 * cond[:, COND_INDEX["substance_use"]]
                                         + 1.5 * cond[:, COND_INDEX["depression"]]), 0, 0.9))
    pop = pd.DataFrame({
        "person": np.arange(n), "hetu": hetus, "birth_date": birth, "age": age,
        "sex": np.where(female, "F", "M"), "frailty": frailty, "propensity": propensity,
        "social_need": social_need})
    for j, c in enumerate(CONDITIONS):
        pop[c.key] = cond[:, j]
    pop["n_conditions"] = cond.sum(axis=1)
    for j, c in enumerate(CONDITIONS):
        pop[f"code_{c.key}"] = code_choice[:, j]
    return pop


def identity_keys(pop: pd.DataFrame) -> np.ndarray:
    """Birth day (days from 1970) x 1000 + individual number of each resident's identity
    code: equal keys, equal codes."""
    bday = pop["birth_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    return bday * 1000 + pop["hetu"].str.slice(7, 10).astype(np.int64).to_numpy()


def home_municipalities(rng: np.random.Generator, n: int) -> np.ndarray:
    """A home municipality code (MUNICIPALITIES, by weight) for each of `n` residents."""
    codes = np.array([m[0] for m in MUNICIPALITIES], dtype=object)
    weights = np.array([m[2] for m in MUNICIPALITIES], dtype=float)
    return codes[choose(rng, weights / weights.sum(), n)]


def make_states(rng: np.random.Generator, pop: pd.DataFrame, cal: Calendar,
                housing_providers: np.ndarray, housing_weights: np.ndarray,
                home_providers: np.ndarray, home_weights: np.ndarray,
                mh_providers: np.ndarray, mh_weights: np.ndarray) -> pd.DataFrame:
    """Death, 24-hour housing and regular home care spells over the horizon (days)."""
    n, days = len(pop), cal.n_days
    age = pop["age"].to_numpy()
    z = pop["frailty"].to_numpy()
    dem = pop["dementia"].to_numpy()
    hf = pop["heart_failure"].to_numpy()
    sub = pop["substance_use"].to_numpy()
    # Mortality (annual probability by age, raised by frailty and conditions).
    q = np.interp(age, (0, 1, 40, 55, 65, 75, 85, 95, 105),
                  (0.002, 0.0002, 0.001, 0.004, 0.01, 0.026, 0.08, 0.22, 0.4))
    q = np.clip(q * np.exp(0.35 * z) * (1 + 0.8 * hf) * (1 + 0.5 * dem) * (1 + 0.8 * sub),
                0, 0.9)
    t_death = rng.exponential(1.0, n) / -np.log1p(-q) * 365.25
    death = np.where(t_death < days, np.floor(t_death), days).astype(np.int64)
    # 24-hour assisted housing: prevalent at start, or a move during the horizon.
    need = np.exp(0.3 * z) * np.where(dem, 3.0, 1.0)
    p_house = np.interp(age, (0, 60, 65, 75, 80, 85, 90, 105),
                        (0, 0, 0.002, 0.01, 0.028, 0.065, 0.13, 0.24))
    in_house0 = rng.random(n) < np.clip(p_house * need, 0, 0.8)
    p_home = np.interp(age, (0, 60, 65, 75, 80, 85, 90, 105),
                       (0, 0.002, 0.01, 0.035, 0.08, 0.15, 0.22, 0.24))
    home_need = np.exp(0.3 * z) * np.where(dem, 1.8, 1.0)
    in_home0 = ~in_house0 & (rng.random(n) < np.clip(p_home * home_need, 0, 0.8))
    # Incident home care (hazard ~ 0.3 x prevalence per year).
    t_home = rng.exponential(1.0, n) / np.maximum(0.3 * p_home * home_need, 1e-9) * 365.25
    home_start = np.where(in_home0, 0, np.where(~in_house0 & (t_home < death), t_home, days))
    home_start = np.floor(home_start).astype(np.int64)
    # Moves into housing: faster from home care.
    rate_house = 0.3 * p_house * need * np.where(home_start < days, 2.5, 1.0)
    t_house = rng.exponential(1.0, n) / np.maximum(rate_house, 1e-9) * 365.25
    house_start = np.where(in_house0, 0, np.where(t_house < death, np.floor(t_house), days))
    house_start = np.where(in_home0 | (home_start < days),
                           np.maximum(house_start, home_start + 60), house_start)
    house_start = np.where(house_start < death, house_start, days).astype(np.int64)
    home_end = np.minimum(np.minimum(house_start, death), days)
    home_start = np.where(home_start < home_end, home_start, days)
    intensity = np.clip(rng.lognormal(np.log(0.7), 0.7, n) * np.where(dem, 1.4, 1.0), 0.1, 4)
    house_prov = housing_providers[choose(rng, housing_weights, n)]
    home_prov = home_providers[choose(rng, home_weights, n)]
    house_level = rng.uniform(0.88, 1.12, n)
    # Supported 24-hour housing of working-age mental health and substance rehabilitation
    # clients (the whole horizon).
    pop_mh = (pop["depression"].to_numpy() | sub | pop["social_need"].to_numpy())
    p_mh = np.where(pop_mh & (age >= 18) & (age < 65), 0.03 * np.exp(0.5 * z), 0.0)
    mh_house = ~in_house0 & ~in_home0 & (rng.random(n) < np.clip(p_mh, 0, 0.5))
    mh_prov = mh_providers[choose(rng, mh_weights, n)]
    house_start = np.where(mh_house, 0, house_start)
    house_prov = np.where(mh_house, mh_prov, house_prov)
    house_level = np.where(mh_house, rng.uniform(0.72, 0.82, n), house_level)
    home_start = np.where(mh_house, days, home_start)
    home_end = np.where(mh_house, days, home_end)
    return pd.DataFrame({
        "death_day": death, "house_start": house_start, "home_start": home_start,
        "home_end": home_end, "home_intensity": intensity, "house_provider": house_prov,
        "home_provider": home_prov, "house_level": house_level, "mh_housing": mh_house})

