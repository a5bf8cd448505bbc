"""Turn an NHS PROMs record-level pack into provider submissions in Arvo's contract.

Each NHS provider (ODS code) becomes a provider, each record an episode of package
HIP_PRIMARY, HIP_REVISION, KNEE_PRIMARY or KNEE_REVISION with an EQ-5D-3L (+ EQ-VAS)
and an Oxford Hip / Knee Score response at baseline (pre-op) and at 6 months (post-op).
What the pack does not hold is made up, deterministically, and said so in
docs/nhs-proms.md:

- identity: NHS records are anonymous and unlinked, so each record is its own client
  with a synthetic personal identity code from the temporary-code range (individual
  number 900-999), its birth date placing the client in the upper half of the record's
  age band (70 when NHS suppressed the band as `*`) and its sex from `Gender`
  (alternating when `*`);
- dates: the pack gives only the financial year (from its file names: 1617 is April
  2016 - March 2017), so a provider's operations are spread evenly over it in file order, the pre-op
  questionnaire 14 days before and the post-op one 182 days after the operation;
- NHS's missing-value codes become empty items: 9 for EQ-5D dimensions and Oxford
  items, 999 for EQ-VAS. Any other value is passed on unchanged, so the pipeline's
  checks quarantine it with file, row and column, as for any provider.
- case mix: NHS's pre-op case-mix variables go into the episode's optional case-mix
  fields (`pack.CASE_MIX`: living arrangements, disability, assistance, symptom period,
  previous surgery, the twelve comorbidity tick boxes); age band and sex go into the
  identity. NHS's predicted post-op scores are never passed on: `modelled_only` only
  asks whether a record has one.

The pack has no service events or costs: each provider gets an events file with the
header only. With `modelled_only`, records NHS left out of its case-mix model (those
without a predicted post-op score, e.g. a missing case-mix variable) are not written
but listed in `excluded_records.csv` with the reason, so every record is accounted for.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from arvo import hetu
from arvo.contract import CASE_MIX_CODES, ENTITIES
from arvo.definitions import check_provider_id
from arvo.nhs import pack
from arvo.nhs.pack import EQ5D_DIMENSIONS, PROCEDURES, PackError, Procedure

YEAR_DAYS = 364
BASELINE_DAYS_BEFORE = 14
FOLLOWUP_DAYS_AFTER = 182
UNKNOWN_AGE = 70
#: The case-mix factors of the register's packages: NHS's case-mix variables as the
#: public pack publishes them (age band and sex from the identity, the rest from the
#: episode's case-mix fields). Not chronic_conditions, social_care or general_health:
#: the pack has no service events and no general-health question.
CASE_MIX_FACTORS = ["age_band", "sex", *pack.CASE_MIX]


def year_start(year: int) -> dt.date:
    """The first operation day of financial year `year`-`year + 1`: 2 April (follow-ups
    from 1 October)."""
    return dt.date(year, 4, 2)


def import_period(year: int) -> str:
    """The month folder of the submission and the steering period that holds every
    follow-up of the year's pack (2016-17: the last is dated 2017-09-29, and the 12-month
    window of 2017-09 starts 2016-10-01, the first)."""
    last = year_start(year) + dt.timedelta(days=YEAR_DAYS - 1 + FOLLOWUP_DAYS_AFTER)
    return f"{last:%Y-%m}"


IMPORT_PERIOD = import_period(2016)  # the 2016-17 pack's
EVENT_HEADER = ["event_id", "hetu", "event_date", "service_code", "episode_id", "diagnosis",
                "cost_eur"]
EPISODE_HEADER = ENTITIES["episodes"].names  # with the case-mix fields
PROM_HEADER = ["response_id", "episode_id", "hetu", "instrument", "timepoint", "response_date",
               *(f"q{i}" for i in range(1, 13))]
_AGE_BAND = re.compile(r"^\s*(\d+)\s+to\s+(\d+)\s*$")


@dataclass
class ImportSummary:
    """What an import wrote, per pack file and in total."""

    out_dir: Path
    raw_dir: Path
    definitions_dir: Path
    submission_month: str
    year: int = 2016  # the financial year's first calendar year
    providers: int = 0
    records: dict[str, int] = field(default_factory=dict)
    episodes: int = 0
    responses: int = 0
    excluded: int = 0
    missing_codes: int = 0
    case_mix_missing: set[str] = field(default_factory=set)

    @property
    def period(self) -> str:
        """The steering period to run: its window holds every follow-up of the import."""
        return self.submission_month

    def lines(self) -> list[str]:
        files = ", ".join(f"{name}: {n:,} records" for name, n in self.records.items())
        return [
            f"read {files} (financial year {self.year}-{(self.year + 1) % 100:02d})",
            f"wrote {self.episodes:,} episodes and {self.responses:,} PROM responses for "
            f"{self.providers} providers under {self.raw_dir} (month folder "
            f"{self.submission_month})",
            f"NHS missing-value codes turned into empty items: {self.missing_codes:,}",
            "case-mix fields the pack does not hold (left empty): "
            + (", ".join(f for f in CASE_MIX_CODES if f in self.case_mix_missing) or "none"),
            f"records left out (not in NHS's case-mix model): {self.excluded:,}"
            + (f", listed in {self.out_dir / 'excluded_records.csv'}" if self.excluded else ""),
            f"definitions (providers, packages, obligations) in {self.definitions_dir}",
        ]


class _Identities:
    """Synthetic, unique personal identity codes from the temporary range 900-999."""

    def __init__(self) -> None:
        self.used: set[tuple[dt.date, int]] = set()

    def make(self, birth: dt.date, male: bool) -> str:
        while True:
            for number in range(901 if male else 900, 1000, 2):
                if (birth, number) not in self.used:
                    self.used.add((birth, number))
                    return hetu.make(birth, number)
            birth -= dt.timedelta(days=1)


def _age(band: str, row: int) -> int:
    """An age in the upper half of NHS's ten-year band ("60 to 69": 65-69).

    NHS's bands start at 40, 50, 60, ...; the case-mix models' start at 45, 55, 65, ...
    (int_case_mix_inputs `age_band`). An age spread over NHS's whole band would split
    each NHS band across two of Arvo's and blur the one age NHS gives; its upper half
    keeps each NHS band whole in one of Arvo's (90+ joins 80-89 in 85+).
    """
    m = _AGE_BAND.match(band)
    if not m:
        return UNKNOWN_AGE
    low, high = int(m.group(1)), min(int(m.group(2)), 99)
    upper = low + (min(high, low + 9) - low + 1) // 2
    return upper + row % (high - upper + 1)


def _birth_date(operation: dt.date, age: int, row: int) -> dt.date:
    try:
        anniversary = operation.replace(year=operation.year - age)
    except ValueError:  # 29 February
        anniversary = operation.replace(year=operation.year - age, day=28)
    return anniversary - dt.timedelta(days=row * 37 % 365)


def _item(value: str, missing: str) -> tuple[str, int]:
    """An item for Arvo (NHS missing code -> empty) and 1 if a missing code was dropped."""
    value = value.strip()
    return ("", 1) if value == missing else (value, 0)


def _check_provider(path: Path, frame: pd.DataFrame) -> None:
    for row, code in enumerate(frame["Provider Code"], start=1):
        problem = check_provider_id("nhs-ods", code.strip())
        if problem:
            raise PackError(f"{path}: row {row}, column 'Provider Code': {problem}")
    bad = frame.index[~frame["Revision Flag"].str.strip().isin(["0", "1"])]
    if len(bad):
        row = int(bad[0]) + 1
        raise PackError(f"{path}: row {row}, column 'Revision Flag': "
                        f"{frame['Revision Flag'].iloc[bad[0]]!r} is not 0 or 1")


def _convert(path: Path, frame: pd.DataFrame, procedure: Procedure, ids: _Identities,
             modelled_only: bool, summary: ImportSummary, start: dt.date
             ) -> tuple[dict[str, list[list[str]]], dict[str, list[list[str]]], list[list]]:
    """Episodes and PROM rows per provider, and the excluded records."""
    _check_provider(path, frame)
    predicted = pack.predicted_columns(frame)
    modelled = frame[predicted].apply(lambda c: c.str.strip() != "").any(axis=1) \
        if predicted else pd.Series(True, index=frame.index)
    items = {when: pack.oxford_items(frame, procedure, when) for when in ("Pre-Op", "Post-Op")}
    codes_series = frame["Provider Code"].str.strip()
    codes = codes_series.tolist()
    position = codes_series.groupby(codes_series).cumcount().tolist()
    size = codes_series.map(codes_series.value_counts()).tolist()
    modelled = modelled.tolist()
    episodes: dict[str, list[list[str]]] = {}
    proms: dict[str, list[list[str]]] = {}
    excluded: list[list] = []
    used = ["Revision Flag", "Gender", "Age Band",
            *(f"{w} Q {d}" for w in ("Pre-Op", "Post-Op") for d in (*EQ5D_DIMENSIONS, "EQ VAS")),
            *items["Pre-Op"], *items["Post-Op"]]
    columns = {c: frame[c].tolist() for c in used}
    case_mix = pack.case_mix(path, frame)
    summary.case_mix_missing |= set(CASE_MIX_CODES) - set(case_mix)
    for i in range(len(frame)):
        rec = {c: values[i] for c, values in columns.items()}
        row = i + 1
        provider = codes[i]
        revision = rec["Revision Flag"].strip() == "1"
        package = f"{procedure.kind.upper()}_{'REVISION' if revision else 'PRIMARY'}"
        episode_id = f"{procedure.kind.upper()}-{row:06d}"
        if modelled_only and not modelled[i]:
            excluded.append([path.name, row, provider, episode_id,
                             "not in NHS's case-mix model (no predicted post-op score)"])
            continue
        operation = start + dt.timedelta(days=position[i] * YEAR_DAYS // size[i])
        gender = rec["Gender"].strip()
        male = gender == "1" if gender in ("1", "2") else row % 2 == 1
        birth = _birth_date(operation, _age(rec["Age Band"], row), row)
        code = ids.make(birth, male)
        episodes.setdefault(provider, []).append(
            [episode_id, code, package, operation.isoformat(), "",
             *(case_mix[f][i] if f in case_mix else "" for f in CASE_MIX_CODES)])
        for when, timepoint, day in (("Pre-Op", "baseline", -BASELINE_DAYS_BEFORE),
                                     ("Post-Op", "followup_6m", FOLLOWUP_DAYS_AFTER)):
            date = (operation + dt.timedelta(days=day)).isoformat()
            eq5d = [_item(rec[f"{when} Q {d}"], "9") for d in EQ5D_DIMENSIONS]
            eq5d.append(_item(rec[f"{when} Q EQ VAS"], "999"))
            oxford = [_item(rec[c], "9") for c in items[when]]
            for instrument, values in (("EQ5D3L", eq5d), (procedure.oxford_instrument, oxford)):
                summary.missing_codes += sum(m for _, m in values)
                answers = [v for v, _ in values]
                if not any(answers):
                    continue  # nothing of this instrument was answered
                proms.setdefault(provider, []).append(
                    [f"{episode_id}-{instrument}-{timepoint}", episode_id, code, instrument,
                     timepoint, date, *answers, *[""] * (12 - len(answers))])
    return episodes, proms, excluded


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def provider_names(pack_dir: Path) -> dict[str, str]:
    """Organisation names of providers from the pack's ProvComm table (if present)."""
    try:
        frame = pack.read_csv(pack.find(pack_dir, pack.PROVCOMM_PATTERN))
    except PackError:
        return {}
    name_col = next((c for c in frame.columns if c.lower().startswith("orga") and
                     "name" in c.lower()), None)
    if name_col is None:
        return {}
    rows = frame[frame["Organisation Type"].str.strip() == "Provider"]
    return dict(zip(rows["Organisation Code"].str.strip(), rows[name_col].str.strip(),
                    strict=True))


def write_definitions(out: Path, providers: list[str], names: dict[str, str]) -> None:
    """A definitions register for the imported pack: providers, packages (with their
    case-mix factors), obligations."""
    out.mkdir(parents=True, exist_ok=True)
    register = {
        "providers.yml": {
            "id_scheme": "nhs-ods",
            "providers": [{
                "id": p, "name": names.get(p, p),
                # ODS codes of NHS trusts begin with R; others are independent sector
                "sector": "public" if p.startswith("R") else "private",
                "submission_format": "csv_utf8"} for p in providers],
        },
        "service_types.yml": {"service_types": [{
            "code": "ORTHOPAEDIC_SURGERY", "domain": "health",
            "name_fi": "Tekonivelleikkaus", "name_en": "Joint replacement (no events in the pack)",
        }]},
        "packages.yml": {"packages": [
            {"code": f"{kind}_{variant}", "name_fi": f"{fi} ({variant_fi})",
             "name_en": f"{kind.title()} replacement, {variant.lower()}",
             "instruments": ["EQ5D3L", inst], "case_mix_factors": CASE_MIX_FACTORS}
            for kind, fi, inst in (("HIP", "Lonkan tekonivel", "OHS"),
                                   ("KNEE", "Polven tekonivel", "OKS"))
            for variant, variant_fi in (("PRIMARY", "ensileikkaus"),
                                        ("REVISION", "uusintaleikkaus"))
        ]},
        "segments.yml": {"segments": [{
            "code": "ALL_PATIENTS", "priority": 1, "kaiser_level": "all",
            "name_fi": "Kaikki potilaat", "name_en": "All patients", "when": [],
        }], "chronic_conditions": []},
        "obligations.yml": {"obligations": [{
            "package": f"{kind}_{variant}", "instruments": ["EQ5D3L", inst],
            "baseline": {"from_days": -42, "to_days": 0},
            "followups": [{"timepoint": "followup_6m", "at_days": 182, "tolerance_days": 30}],
            "min_baseline_rate": 0.8, "min_followup_rate": 0.6,
            "rationale": "NHS PROMs: questionnaire before the operation, and six months "
                         "after it",
        } for kind, inst in (("HIP", "OHS"), ("KNEE", "OKS"))
            for variant in ("PRIMARY", "REVISION")]},
    }
    for name, doc in register.items():
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        (out / name).write_text(
            f"# Made by `arvo import nhs-proms` from an NHS PROMs data pack.\n{text}",
            encoding="utf-8")


def import_pack(pack_dir: Path, out_dir: Path, *, modelled_only: bool = False) -> ImportSummary:
    """Write `<out>/raw/<ODS code>/<YYYY-MM>/` submissions and `<out>/definitions/`."""
    pack_dir, out_dir = Path(pack_dir), Path(out_dir)
    ids = _Identities()
    episodes: dict[str, list[list[str]]] = {}
    proms: dict[str, list[list[str]]] = {}
    excluded: list[list] = []
    year, _ = pack.locate(pack_dir)  # every file found, of one year, before reading any
    month = import_period(year)
    summary = ImportSummary(out_dir=out_dir, raw_dir=out_dir / "raw",
                            definitions_dir=out_dir / "definitions", submission_month=month,
                            year=year)
    for procedure in PROCEDURES:
        path, frame = pack.read_procedure(pack_dir, procedure)
        summary.records[path.name] = len(frame)
        eps, prs, exc = _convert(path, frame, procedure, ids, modelled_only, summary,
                                 year_start(year))
        for provider, rows in eps.items():
            episodes.setdefault(provider, []).extend(rows)
        for provider, rows in prs.items():
            proms.setdefault(provider, []).extend(rows)
        excluded.extend(exc)
    providers = sorted(set(episodes))
    for provider in providers:
        folder = summary.raw_dir / provider / month
        _write_csv(folder / "events.csv", EVENT_HEADER, [])
        _write_csv(folder / "episodes.csv", EPISODE_HEADER, episodes[provider])
        _write_csv(folder / "proms.csv", PROM_HEADER, proms.get(provider, []))
    if excluded:
        _write_csv(out_dir / "excluded_records.csv",
                   ["pack_file", "row", "provider_code", "episode_id", "reason"], excluded)
    write_definitions(summary.definitions_dir, providers, provider_names(pack_dir))
    summary.providers = len(providers)
    summary.episodes = sum(len(v) for v in episodes.values())
    summary.responses = sum(len(v) for v in proms.values())
    summary.excluded = len(excluded)
    return summary
