"""The provider submission contract in code: entities, their files, columns and types.

`docs/submission-contract.md` is the same contract for people; the tests check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "hetu", "date", "code", "decimal", "integer"]


@dataclass(frozen=True)
class Column:
    """One column of a submission file."""

    name: str
    kind: Kind
    required: bool
    case_mix: bool = False  # an optional case-mix field with a code list (CASE_MIX_CODES)


@dataclass(frozen=True)
class Entity:
    """One submission file type: its record ID column and columns in contract order."""

    name: str
    record_id: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def of_kind(self, *kinds: Kind) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]

    @property
    def case_mix(self) -> list[str]:
        """The optional case-mix fields of the entity (CASE_MIX_CODES)."""
        return [c.name for c in self.columns if c.case_mix]

    @property
    def core_names(self) -> list[str]:
        """The contract's columns apart from the optional case-mix fields."""
        return [c.name for c in self.columns if not c.case_mix]


PROM_ITEMS = tuple(f"q{i}" for i in range(1, 13))

_NO_YES = {0: "no", 1: "yes"}
# Optional case-mix fields of an episode: the client's situation at the start of the
# episode, after the NHS PROMs pre-operative questionnaire (docs/submission-contract.md,
# "Case-mix fields"; docs/nhs-proms.md maps NHS's codes). Per field, its codes and what
# each means; an empty cell is "not known". The GE suite expectations/suites/episodes.json
# has one value-set expectation per field; the tests check the three agree.
CASE_MIX_CODES: dict[str, dict[int, str]] = {
    "living_arrangement": {1: "with partner, family or others", 2: "alone",
                           3: "in 24-hour care (nursing home, hospital, round-the-clock "
                              "assisted living)", 4: "other"},
    "disability": {0: "no", 1: "yes: the client considers themself to have a disability"},
    "assisted_at_baseline": {0: "no", 1: "yes: someone helped the client fill in the "
                                         "baseline questionnaire"},
    "symptom_duration": {1: "less than 1 year", 2: "1 to 5 years", 3: "6 to 10 years",
                         4: "more than 10 years"},
    "previous_surgery": {0: "no", 1: "yes: earlier surgery for the same problem"},
    "general_health": {1: "excellent", 2: "very good", 3: "good", 4: "fair", 5: "poor"},
    **{f"comorbidity_{name}": _NO_YES for name in (
        "heart_disease", "high_blood_pressure", "stroke", "circulation", "lung_disease",
        "diabetes", "kidney_disease", "nervous_system", "liver_disease", "cancer",
        "depression", "arthritis")},
}

ENTITIES: dict[str, Entity] = {
    "events": Entity("events", "event_id", (
        Column("event_id", "text", True),
        Column("hetu", "hetu", True),
        Column("event_date", "date", True),
        Column("service_code", "code", True),
        Column("episode_id", "text", False),
        Column("diagnosis", "code", False),
        Column("cost_eur", "decimal", True),
        # the client's home municipality (kotikunta), a 3-digit Statistics Finland code
        # as in THL's Hilmo/AvoHilmo; optional (docs/submission-contract.md)
        Column("municipality", "code", False),
    )),
    "episodes": Entity("episodes", "episode_id", (
        Column("episode_id", "text", True),
        Column("hetu", "hetu", True),
        Column("package_code", "code", True),
        Column("start_date", "date", True),
        Column("end_date", "date", False),
        *(Column(c, "integer", False, case_mix=True) for c in CASE_MIX_CODES),
    )),
    "proms": Entity("proms", "response_id", (
        Column("response_id", "text", True),
        Column("episode_id", "text", True),
        Column("hetu", "hetu", True),
        Column("instrument", "code", True),
        Column("timepoint", "code", True),
        Column("response_date", "date", True),
        *(Column(q, "integer", False) for q in PROM_ITEMS),
    )),
}

FILE_SUFFIXES = (".csv", ".parquet")
TIMEPOINTS = ("baseline", "followup_6m", "followup_12m")

# Item ranges per instrument: item columns and the inclusive range each may take
# (docs/instruments.md: what each item is; the GE suite expectations/suites/proms.json
# has one range expectation per item; the tests check the three agree).
INSTRUMENT_ITEMS: dict[str, dict[str, tuple[int, int]]] = {
    # EQ-5D-5L: q1-q5 mobility, self-care, usual activities, pain/discomfort,
    # anxiety/depression (levels 1-5); q6 EQ-VAS.
    "EQ5D5L": {**{f"q{i}": (1, 5) for i in range(1, 6)}, "q6": (0, 100)},
    # EQ-5D-3L: the same dimensions at levels 1-3; q6 EQ-VAS.
    "EQ5D3L": {**{f"q{i}": (1, 3) for i in range(1, 6)}, "q6": (0, 100)},
    # PHQ-9 and GAD-7: items 0-3 in questionnaire order.
    "PHQ9": {f"q{i}": (0, 3) for i in range(1, 10)},
    "GAD7": {f"q{i}": (0, 3) for i in range(1, 8)},
    # PROMIS Global Health v1.0/1.1: Global01-Global10 as on the form; q7 = Global07
    # pain 0-10; q8 (fatigue) and q10 (emotional problems) 1 = none / never.
    "PROMIS10": {**{f"q{i}": (1, 5) for i in range(1, 11)}, "q7": (0, 10)},
    # KCCQ-12: q1-q3 = 1a-1c (6 = limited for other reasons / did not do), q4 = 2
    # swelling, q5 = 3 fatigue, q6 = 4 shortness of breath, q7 = 5 orthopnea, q8 = 6
    # and q9 = 7 quality of life, q10-q12 = 8a-8c (6 = does not apply).
    "KCCQ12": {"q1": (1, 6), "q2": (1, 6), "q3": (1, 6), "q4": (1, 5), "q5": (1, 7),
               "q6": (1, 7), "q7": (1, 5), "q8": (1, 5), "q9": (1, 5), "q10": (1, 6),
               "q11": (1, 6), "q12": (1, 6)},
    # Oxford Hip and Knee Scores: twelve items 0-4 (NHS coding, 4 = best).
    "OHS": {f"q{i}": (0, 4) for i in range(1, 13)},
    "OKS": {f"q{i}": (0, 4) for i in range(1, 13)},
}

