"""Names and labels the reports print: providers, packages and segments from the
commissioner's definitions, and the words for codes of the marts.

A code's words are a message (`msg`, English template, translated in the catalogues): a
report's Jinja2 environment prints it in the report's language. Where a label is a pair
(`timepoint`, ENTITIES, ...), the first is that message (its keys end in `_fi` for the
templates written before the languages) and the second its English text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from arvo.config import Settings
from arvo.messages import DEFAULT_LANGUAGE, N_, Joined, Message, joined, msg
from arvo.report.warehouse import Warehouse


def _pair(label: Message) -> tuple[Message, str]:
    return label, str(label)


TIMEPOINTS = {
    "baseline": _pair(msg("Baseline")),
    "followup_6m": _pair(msg("{months}-month follow-up", months=6)),
    "followup_12m": _pair(msg("{months}-month follow-up", months=12)),
}
_FOLLOWUP = re.compile(r"^followup_(\d+)(m|d)$")
EPISODE_STATUSES = {
    "collectable": _pair(msg("collectable")),
    "missed": _pair(msg("missed")),
    "unpaired": _pair(msg("baseline missing")),
    "met": _pair(msg("collected")),
}
ENTITIES = {
    "events": _pair(msg("Service events")),
    "episodes": _pair(msg("Care episodes")),
    "proms": _pair(msg("PROM responses")),
}
STATUSES = {"accepted": msg("accepted"), "partial": msg("partly accepted"),
            "rejected": msg("rejected"), "empty": msg("empty"),
            "standing": msg("earlier still valid"), "withdrawn": msg("withdrawn")}
SENT_STATUSES = ("accepted", "partial", "rejected", "empty")
"""Statuses of a file sent now (`standing` and `withdrawn` describe earlier submissions)."""
KAISER_FI = {
    "intensive case management": msg("intensive case management"),
    "care management": msg("care management"),
    "self-management support": msg("self-management support"),
    "self-management": msg("self-management"),
}
"""A Kaiser pyramid level (segments.yml kaiser_level) in words (the name predates the
languages: the words are messages)."""
SECTORS = {"public": msg("public"), "private": msg("private"), "third": msg("third sector")}
SCOPE_KINDS = {"package": _pair(msg("service package")),
               "segment": _pair(msg("client segment"))}
"""What an obligation binds: a package's episodes, or the episodes of a segment's clients."""


@dataclass(frozen=True)
class Names:
    """Provider, package and segment names of the definitions in one report's language,
    the providers' report languages, and instrument labels of the warehouse (seed
    prom_measures); codes when unnamed."""

    providers: dict[str, str]
    packages: dict[str, tuple[str, str]]
    segments: dict[str, tuple[str, str]]
    instruments: dict[str, str] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)

    def provider(self, provider_id: str, fallback: str | None = None) -> str:
        """The register's name in the report's language, else `fallback` (a mart's)."""
        return self.providers.get(provider_id) or fallback or provider_id

    def language(self, provider_id: str) -> str | None:
        """The language of the provider's feedback (providers.yml `language`), None when
        the register gives none."""
        return self.languages.get(provider_id)

    def package(self, code: str) -> tuple[str, str]:
        return self.packages.get(code, (code, ""))

    def segment(self, code: str) -> tuple[str, str]:
        return self.segments.get(code, (code, ""))

    def instrument(self, code: str) -> str:
        return self.instruments.get(code) or code

    def scope(self, scope: str, code: str) -> tuple[str, str]:
        """(name, name_en) of an obligation's package or segment."""
        return self.segment(code) if scope == "segment" else self.package(code)


def named_in(fi: str | None, en: str | None, sv: str | None, lang: str) -> str | None:
    """The name in `lang`; the Finnish name where the definitions give none in `lang`."""
    return {"sv": sv, "en": en}.get(lang) or fi


def names(settings: Settings, wh: Warehouse | None = None, period: str | None = None,
          lang: str = DEFAULT_LANGUAGE) -> Names:
    """The names of the register as it stood when `period` was built (mart
    mart_period_register), in `lang` (a package's or segment's name is the pair (name in
    `lang`, English name)); for a period built before the mart existed, the names of
    today's definitions (empty when they cannot be read)."""
    rows = wh.rows("mart_period_register", period) if wh is not None and period else []
    if rows:
        by_kind: dict[str, dict[str, Any]] = {"provider": {}, "package": {}, "segment": {}}
        for r in rows:
            by_kind[r["kind"]][r["code"]] = r

        def pairs(kind: str) -> dict[str, tuple[str, str]]:
            return {c: (named_in(r["name_fi"], r["name_en"], r.get("name_sv"), lang) or c,
                        r["name_en"] or "") for c, r in by_kind[kind].items()}

        providers = by_kind["provider"].items()
        return Names({c: named_in(r["name_fi"], None, r.get("name_sv"), lang) or c
                      for c, r in providers}, pairs("package"), pairs("segment"),
                     languages={c: r["language"] for c, r in providers if r.get("language")})
    try:
        from arvo import definitions

        defs = definitions.load(settings.definitions_dir)
    except Exception:  # names are a nicety: the reports work without them
        return Names({}, {}, {})
    return Names({p.id: named_in(p.name, None, p.name_sv, lang) for p in defs.providers},
                 {p.code: (named_in(p.name_fi, p.name_en, p.name_sv, lang), p.name_en)
                  for p in defs.packages},
                 {s.code: (named_in(s.name_fi, s.name_en, s.name_sv, lang), s.name_en)
                  for s in defs.segments},
                 languages={p.id: p.language for p in defs.providers if p.language})


MEASURES = {
    "eq5d_index": N_("{instrument} index"), "phq9_total": N_("{instrument} score"),
    "gad7_total": N_("{instrument} score"),
    "promis_gph_t": N_("PROMIS physical health, T-score"),
    "promis_gmh_t": N_("PROMIS mental health, T-score"),
    "promis_gph_raw": N_("PROMIS physical health, raw score"),
    "promis_gmh_raw": N_("PROMIS mental health, raw score"),
    "kccq_summary": N_("{instrument} summary score"),
    "kccq_physical_limitation": N_("{instrument} physical limitation"),
    "kccq_symptom_frequency": N_("{instrument} symptom frequency"),
    "kccq_quality_of_life": N_("{instrument} quality of life"),
    "kccq_social_limitation": N_("{instrument} social limitation"),
}
"""A measure's label by its code (seed prom_measures holds the Finnish label): the
template takes the instrument's label, as EQ-5D-5L or EQ-5D-3L. EQ-VAS and the Oxford
scores are named alike in every language and keep the seed's label."""


def measure(code: str | None, instrument_label: str | None, label: str | None
            ) -> Message | str:
    """The label of a measure in words: a message for the measures of MEASURES, the seed's
    label otherwise (names such as Oxford Hip Score are the same in every language)."""
    template = MEASURES.get(code or "")
    if template and instrument_label:
        return msg(template, instrument=instrument_label)
    return label or code or ""


VALUE_SETS = {"England": (msg("the England value set"), msg("Devlin et al. 2018"))}
"""Name and reference of a value set the marts name (column value_set)."""


def value_set(code: str | None) -> dict[str, Any] | None:
    """How the reports name a value set of the marts (e.g. England, `UK crosswalk`):
    `name_fi` and `text_fi` (name and reference) are messages."""
    if not code:
        return None
    name, cite = VALUE_SETS.get(code) or (msg("value set {code}", code=code), "")
    return {"code": code, "name_fi": name,
            "text_fi": msg("{name} ({reference})", name=name, reference=cite) if cite
            else name}


def timepoint(code: str) -> tuple[Message | str, str]:
    """(label, English) of a timepoint code: baseline, followup_6m, followup_30d."""
    if code in TIMEPOINTS:
        return TIMEPOINTS[code]
    m = _FOLLOWUP.match(code or "")
    if m:
        n, unit = m.groups()
        return _pair(msg("{months}-month follow-up", months=int(n)) if unit == "m"
                     else msg("{days}-day follow-up", days=int(n)))
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


FACTORS = {
    "age_band": msg("age group"), "sex": msg("sex"),
    "chronic_conditions": msg("number of long-term conditions"),
    "social_care": msg("use of social services"),
    "general_health": msg("self-rated general health"),
    "living_arrangement": msg("living arrangement"), "disability": msg("disability"),
    "symptom_duration": msg("duration of symptoms"), "previous_surgery": msg("previous surgery"),
    "assisted_at_baseline": msg("assisted answering at baseline"),
}
COMORBIDITIES = {
    "heart_disease": msg("heart disease"), "high_blood_pressure": msg("high blood pressure"),
    "stroke": msg("stroke"), "circulation": msg("circulation problems"),
    "lung_disease": msg("lung disease"), "diabetes": msg("diabetes"),
    "kidney_disease": msg("kidney disease"), "nervous_system": msg("nervous system disease"),
    "liver_disease": msg("liver disease"), "cancer": msg("cancer"),
    "depression": msg("depression"), "arthritis": msg("arthritis"),
}
FACTOR_REASONS = {
    "one value only": msg("the same value in every pair"),
}


def factors(codes: list[str]) -> Joined:
    """Case-mix factors of mart_case_mix_models (arvo.verdicts.casemix) in words, the
    comorbidities together: fi "ikäryhmä, liitännäissairaudet (diabetes, syöpä)"."""
    words: list[Message | str] = []
    comorbid: list[Message | str] = []
    for code in codes:
        if code.startswith("comorbidity_"):
            name = code.removeprefix("comorbidity_")
            comorbid.append(COMORBIDITIES.get(name) or name.replace("_", " "))
        else:
            words.append(FACTORS.get(code) or code.replace("_", " "))
    if comorbid:
        words.append(msg("comorbidities ({conditions})", conditions=joined(comorbid, ", ")))
    return joined(words, ", ")


def factor_reason(reason: str) -> Message | str:
    """Why a factor was left out of a case-mix model, in words."""
    if reason.startswith("fewer than"):
        return msg("too few pairs for the model's variables")
    return FACTOR_REASONS.get(reason) or reason


RULES = {
    "file_readable": msg("file could not be read"), "file_format": msg("file format"),
    "row_shape": msg("number of fields on the row"), "required": msg("required value missing"),
    "type_date": msg("date not valid"), "type_decimal": msg("number not valid"),
    "type_integer": msg("whole number not valid"),
    "hetu_valid": msg("personal identity code not valid"),
    "id_is_hetu": msg("personal identity code used as an identifier"),
    "cost_in_range": msg("cost outside the allowed range"),
    "item_in_range": msg("answer outside the allowed range"),
    "service_code_known": msg("unknown service code"),
    "event_id_unique": msg("identifier repeated"),
}
"""A quarantine rule (the `rule` of rows to fix) in words; the CSV keeps the rule's code."""


def rule(code: str) -> Message:
    """A quarantine rule in words (an unknown rule: "other check", its reason says more)."""
    return RULES.get(code) or msg("other check")
