"""The commissioner's definitions as the CSV tables dbt reads (`<definitions_dir>/*.csv`,
dbt source `definitions`; docs/architecture.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from arvo.definitions import Definitions, Segment
from arvo.objectives import CANDIDATE_COLUMNS, OBJECTIVE_COLUMNS, candidates, table_rows


def compile_for_dbt(defs: Definitions, out_dir: Path,
                    draft: list[Segment] | None = None) -> Path:
    """Write the definitions as the CSV tables dbt reads (see docs/architecture.md).

    `draft`: the definition phase's draft segmentation (arvo.drafts.load_draft), written
    as draft_segments.csv and draft_segment_rules.csv; without one, the current segments
    (docs/definition.md)."""
    draft_segments = defs.segments if draft is None else draft
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, tuple[list[str], list[list[object]]]] = {
        "providers": (["provider_id", "name", "sector", "submission_format", "language",
                       "name_sv"],
                      [[p.id, p.name, p.sector, p.submission_format, p.language, p.name_sv]
                       for p in defs.providers]),
        "service_types": (["service_code", "domain", "name_fi", "name_en"],
                          [[s.code, s.domain, s.name_fi, s.name_en] for s in defs.service_types]),
        "packages": (["package_code", "name_fi", "name_en", "name_sv"],
                     [[p.code, p.name_fi, p.name_en, p.name_sv] for p in defs.packages]),
        "package_instruments": (["package_code", "instrument"],
                                [[p.code, i] for p in defs.packages for i in p.instruments]),
        "segments": (SEGMENT_COLUMNS, _segment_rows(defs.segments)),
        "segment_rules": (SEGMENT_RULE_COLUMNS, _segment_rule_rows(defs.segments)),
        "chronic_conditions": (["condition_group", "icd10_prefix"],
                               [[g.group, p] for g in defs.chronic_conditions
                                for p in g.prefixes]),
        "obligations": (list(OBLIGATION_COLUMNS), _obligation_rows(defs)),
        "obligation_restarts": (list(RESTART_COLUMNS), _restart_rows(defs)),
        "case_mix_factors": (["package_code", "factor", "factor_order"],
                             [[p.code, f, i] for p in defs.packages
                              for i, f in enumerate(defs.case_mix_factors(p.code))]),
        "verdict_rules": (["min_pairs", "overdispersion", "winsorise"],
                          [[defs.verdicts.min_pairs, defs.verdicts.overdispersion,
                            defs.verdicts.winsorise]]),
        "objectives": (list(OBJECTIVE_COLUMNS), table_rows(defs.objectives)),
        "draft_segments": (SEGMENT_COLUMNS, _segment_rows(draft_segments)),
        "draft_segment_rules": (SEGMENT_RULE_COLUMNS, _segment_rule_rows(draft_segments)),
        "objective_candidates": (list(CANDIDATE_COLUMNS), candidates(
            [s.code for s in defs.segments],
            {p.code: list(p.instruments) for p in defs.packages}, defs.instruments)),
        "payment_rules": (["package_code", "sector", "rule_json"],
                          [[r.package, r.sector, r.model_dump_json()]
                           for r in defs.payments.rules]),
    }
    for name, (header, rows) in tables.items():
        with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return out_dir


SEGMENT_COLUMNS = ["segment_code", "priority", "kaiser_level", "name_fi", "name_en", "name_sv"]
SEGMENT_RULE_COLUMNS = ["segment_code", "priority", "feature", "op", "value"]


def _segment_rows(segments: list[Segment]) -> list[list[object]]:
    return [[s.code, s.priority, s.kaiser_level, s.name_fi, s.name_en, s.name_sv]
            for s in segments]


def _segment_rule_rows(segments: list[Segment]) -> list[list[object]]:
    """One row per condition (the default segment has none)."""
    return [[s.code, s.priority, c.feature, c.op, c.value] for s in segments for c in s.when]


# An obligation's scope: package_code (a package obligation) or segment_code (a segment
# obligation); exactly one of the two is filled, the other is empty.
OBLIGATION_COLUMNS = ("package_code", "segment_code", "sector", "instrument", "timepoint",
                      "timepoint_order", "at_days", "from_days", "to_days", "measure",
                      "min_rate", "while_open", "severity", "restarts", "rationale")
RESTART_COLUMNS = ("package_code", "segment_code", "sector", "service_code", "icd10_prefix",
                   "min_days_between")


def _obligation_rows(defs: Definitions) -> list[list[object]]:
    """One row per (package or segment) x sector x instrument x timepoint (repeats expanded)."""
    rows: list[list[object]] = []
    for ob in defs.obligations:
        for inst in ob.instruments:
            for order, tp in enumerate(ob.schedule()):
                rows.append([ob.package or "", ob.segment or "", ob.sector, inst, tp.name,
                             order, tp.at_days, tp.from_days, tp.to_days, tp.measure,
                             tp.min_rate, str(tp.while_open).lower(), ob.severity,
                             str(ob.restart is not None).lower(), ob.rationale or ""])
    return rows


def _restart_rows(defs: Definitions) -> list[list[object]]:
    """One row per restarting (package or segment) x sector x service code x ICD-10 prefix
    (or none)."""
    rows: list[list[object]] = []
    for ob in defs.obligations:
        if ob.restart is None:
            continue
        for code in ob.restart.service_codes:
            for prefix in ob.restart.icd10_prefixes or [""]:
                rows.append([ob.package or "", ob.segment or "", ob.sector, code,
                             prefix.replace(".", ""), ob.restart.min_days_between])
    return rows
