"""The residents: unique valid identity codes, a Finnish age structure, multimorbidity."""

from __future__ import annotations

from arvo import definitions, hetu
from arvo.demo.generate import DEFAULT_DEFINITIONS
from arvo.demo.region import build_region


def test_every_resident_has_a_unique_hetu():
    defs = definitions.load(DEFAULT_DEFINITIONS)
    reg = build_region(defs, seed=3, residents=1500, months=3)
    codes = reg.residents["hetu"]
    assert codes.is_unique and codes.map(hetu.is_valid).all()
    facts = codes.map(hetu.parse)
    assert (facts.map(lambda f: f.sex) == reg.residents["sex"]).all()


def test_population_structure():
    defs = definitions.load(DEFAULT_DEFINITIONS)
    pop = build_region(defs, seed=5, residents=20_000, months=1).residents
    age = pop["age"]
    assert 0.14 <= (age < 15).mean() <= 0.18
    assert 0.21 <= (age >= 65).mean() <= 0.25
    assert 0.09 <= (age >= 75).mean() <= 0.13
    assert (pop.loc[age >= 75, "sex"] == "F").mean() > (pop.loc[age < 50, "sex"] == "F").mean()
    means = [pop.loc[(age >= lo) & (age < hi), "n_conditions"].mean()
             for lo, hi in ((0, 15), (15, 45), (45, 65), (65, 75), (75, 85), (85, 120))]
    assert means == sorted(means) and means[-1] > 1.2
