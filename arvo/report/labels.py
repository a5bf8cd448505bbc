"""Names and labels the reports print: providers, packages and segments from the
commissioner's definitions, and the Finnish and English words for codes of the marts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from arvo.config import Settings
from arvo.report.warehouse import Warehouse

TIMEPOINTS = {
    "baseline": ("Lähtötaso", "baseline"),
    "followup_6m": ("6 kk seuranta", "6-month follow-up"),
    "followup_12m": ("12 kk seuranta", "12-month follow-up"),
}
_FOLLOWUP = re.compile(r"^followup_(\d+)(m|d)$")
EPISODE_STATUSES = {
    "collectable": ("kerättävissä", "collectable"),
    "missed": ("jäi keräämättä", "missed"),
    "unpaired": ("lähtötaso puuttuu", "baseline missing"),
    "met": ("kerätty", "collected"),
}
ENTITIES = {
    "events": ("Palvelutapahtumat", "events"),
    "episodes": ("Hoitojaksot", "episodes"),
    "proms": ("PROM-vastaukset", "proms"),
}
STATUSES = {"accepted": "hyväksytty", "partial": "osin hyväksytty", "rejected": "hylätty",
            "empty": "tyhjä", "standing": "aiempi voimassa", "withdrawn": "poistettu"}
SENT_STATUSES = ("accepted", "partial", "rejected", "empty")
"""Statuses of a file sent now (`standing` and `withdrawn` describe earlier submissions)."""
KAISER_FI = {
    "intensive case management": "tehostettu palveluohjaus",
    "care management": "hoidon koordinointi",
    "self-management support": "omahoidon tuki",
    "self-management": "omahoito",
}
SECTORS = {"public": "julkinen", "private": "yksityinen", "third": "kolmas sektori"}
SCOPE_KINDS = {"package": ("palvelupaketti", "package"),
               "segment": ("asiakassegmentti", "client segment")}
"""What an obligation binds: a package's episodes, or the episodes of a segment's clients."""


@dataclass(frozen=True)
class Names:
    """Provider, package and segment names of the definitions, and instrument labels of
    the warehouse (seed prom_measures); codes when unnamed."""

    providers: dict[str, str]
    packages: dict[str, tuple[str, str]]
    segments: dict[str, tuple[str, str]]
    instruments: dict[str, str] = field(default_factory=dict)

    def provider(self, provider_id: str, fallback: str | None = None) -> str:
        return fallback or self.providers.get(provider_id) or provider_id

    def package(self, code: str) -> tuple[str, str]:
        return self.packages.get(code, (code, ""))

    def segment(self, code: str) -> tuple[str, str]:
        return self.segments.get(code, (code, ""))

    def instrument(self, code: str) -> str:
        return self.instruments.get(code) or code

    def scope(self, scope: str, code: str) -> tuple[str, str]:
        """(name_fi, name_en) of an obligation's package or segment."""
        return self.segment(code) if scope == "segment" else self.package(code)


def names(settings: Settings, wh: Warehouse | None = None, period: str | None = None
          ) -> Names:
    """The names of the register as it stood when `period` was built (mart
    mart_period_register); for a period built before the mart existed, the names of
    today's definitions (empty when they cannot be read)."""
    rows = wh.rows("mart_period_register", period) if wh is not None and period else []
    if rows:
        by_kind: dict[str, dict[str, Any]] = {"provider": {}, "package": {}, "segment": {}}
        for r in rows:
            by_kind[r["kind"]][r["code"]] = r
        return Names({c: r["name_fi"] or c for c, r in by_kind["provider"].items()},
                     {c: (r["name_fi"] or c, r["name_en"] or "")
                      for c, r in by_kind["package"].items()},
                     {c: (r["name_fi"] or c, r["name_en"] or "")
                      for c, r in by_kind["segment"].items()})
    try:
        from arvo import definitions

        defs = definitions.load(settings.definitions_dir)
    except Exception:  # names are a nicety: the reports work without them
        return Names({}, {}, {})
    return Names({p.id: p.name for p in defs.providers},
                 {p.code: (p.name_fi, p.name_en) for p in defs.packages},
                 {s.code: (s.name_fi, s.name_en) for s in defs.segments})


VALUE_SETS_FI = {"England": ("Englannin arvotus", "Devlin ym. 2018")}
"""Finnish name and reference of a value set the marts name (column value_set)."""


def value_set(code: str | None) -> dict[str, str] | None:
    """How the reports name a value set of the marts (e.g. England, `UK crosswalk`)."""
    if not code:
        return None
    name_fi, cite = VALUE_SETS_FI.get(code, (f"arvotus {code}", ""))
    return {"code": code, "name_fi": name_fi,
            "text_fi": f"{name_fi} ({cite})" if cite else name_fi}


def timepoint(code: str) -> tuple[str, str]:
    """(Finnish, English) label of a timepoint code: baseline, followup_6m, followup_30d."""
    if code in TIMEPOINTS:
        return TIMEPOINTS[code]
    m = _FOLLOWUP.match(code or "")
    if m:
        n, unit = m.groups()
        return ((f"{n} kk seuranta", f"{n}-month follow-up") if unit == "m"
                else (f"{n} vrk seuranta", f"{n}-day follow-up"))
    return (code, code)


def scope(r: dict[str, Any], names: Names) -> dict[str, Any]:
    """The obligation scope of a compliance or episode row, with its labels. A row without
    a scope (a mart built before segment obligations) is a package obligation's."""
    kind = r.get("scope") or "package"
    code = r.get("scope_code") or r["package_code"]
    name_fi, name_en = names.scope(kind, code)
    kind_fi, kind_en = SCOPE_KINDS.get(kind, (kind, kind))
    return {"scope": kind, "scope_code": code, "scope_fi": name_fi, "scope_en": name_en,
            "scope_kind_fi": kind_fi, "scope_kind_en": kind_en}


FACTORS_FI = {
    "age_band": "ikäryhmä", "sex": "sukupuoli",
    "chronic_conditions": "pitkäaikaissairauksien määrä",
    "social_care": "sosiaalipalvelujen käyttö", "general_health": "koettu yleinen terveys",
    "living_arrangement": "asumismuoto", "disability": "toimintarajoite",
    "symptom_duration": "oireiden kesto", "previous_surgery": "aiempi leikkaus",
    "assisted_at_baseline": "avustettu vastaaminen lähtötasossa",
}
COMORBIDITIES_FI = {
    "heart_disease": "sydänsairaus", "high_blood_pressure": "kohonnut verenpaine",
    "stroke": "aivohalvaus", "circulation": "verenkiertohäiriö",
    "lung_disease": "keuhkosairaus", "diabetes": "diabetes",
    "kidney_disease": "munuaissairaus", "nervous_system": "hermoston sairaus",
    "liver_disease": "maksasairaus", "cancer": "syöpä", "depression": "masennus",
    "arthritis": "nivelrikko tai niveltulehdus",
}
FACTOR_REASONS_FI = {
    "one value only": "sama arvo kaikilla pareilla",
}


def factors(codes: list[str]) -> str:
    """Case-mix factors of mart_case_mix_models (arvo.verdicts.casemix) in words, the
    comorbidities together: "ikäryhmä, liitännäissairaudet (diabetes, syöpä)"."""
    words, comorbid = [], []
    for code in codes:
        if code.startswith("comorbidity_"):
            name = code.removeprefix("comorbidity_")
            comorbid.append(COMORBIDITIES_FI.get(name, name.replace("_", " ")))
        else:
            words.append(FACTORS_FI.get(code, code.replace("_", " ")))
    if comorbid:
        words.append(f"liitännäissairaudet ({', '.join(comorbid)})")
    return ", ".join(words)


def factor_reason(reason: str) -> str:
    """Why a factor was left out of a case-mix model, in words."""
    if reason.startswith("fewer than"):
        return "liian vähän pareja suhteessa mallin muuttujiin"
    return FACTOR_REASONS_FI.get(reason, reason)


RULES_FI = {
    "file_readable": "tiedostoa ei voitu lukea", "file_format": "tiedoston muoto",
    "row_shape": "kenttien määrä rivillä", "required": "pakollinen tieto puuttuu",
    "type_date": "päivämäärä ei kelpaa", "type_decimal": "luku ei kelpaa",
    "type_integer": "kokonaisluku ei kelpaa", "hetu_valid": "henkilötunnus virheellinen",
    "id_is_hetu": "tunnisteena henkilötunnus",
    "cost_in_range": "kustannus sallitun välin ulkopuolella",
    "item_in_range": "vastaus sallitun välin ulkopuolella",
    "service_code_known": "tuntematon palvelukoodi", "event_id_unique": "tunniste toistuu",
}
"""A quarantine rule (the `rule` of rows to fix) in words; the CSV keeps the rule's code."""


def rule(code: str) -> str:
    """A quarantine rule in words (an unknown rule: "muu tarkistus", its reason says more)."""
    return RULES_FI.get(code, "muu tarkistus")
