"""The definition phase's draft segmentation (`arvo define --segments DRAFT.yml`).

A draft is a file in the form of `definitions/segments.yml` and is validated the same
way (the model `arvo.definitions.Segment`, `arvo.definitions.check_segments`); a fault
raises `DefinitionError` naming the file, the key, what is wrong and what is allowed.
The draft's segments are compiled beside the definitions as draft_segments.csv and
draft_segment_rules.csv (arvo.definition_tables), and placed by the same rule as the
current ones (dbt macro arvo_segment_assignment; docs/definition.md).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from arvo.definitions import (
    _FILES,
    ConditionGroup,
    DefinitionError,
    Definitions,
    Segment,
    _loc,
    check_segments,
)

ALLOWED_KEYS = _FILES["segments.yml"]
"""The keys of a draft: those of segments.yml."""


def load_draft(path: Path, defs: Definitions) -> list[Segment]:
    """The draft's segments, validated as segments.yml is. `chronic_conditions`, if the
    draft gives them, must be the current ones: the features a draft's rules use are
    computed with the condition groups of definitions/segments.yml."""
    path = Path(path)
    if not path.is_file():
        raise DefinitionError(f"{path}: file is missing")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or "segments" not in doc:
        raise DefinitionError(f"{path}: key 'segments' is missing (a draft is a segmentation "
                              "in the form of definitions/segments.yml)")
    for key in doc:
        if key not in ALLOWED_KEYS:
            raise DefinitionError(f"{path}: {key}: unknown key (allowed: "
                                  f"{', '.join(ALLOWED_KEYS)})")
    segments = _validated(path, "segments", list[Segment], doc["segments"])
    if "chronic_conditions" in doc:
        groups = _validated(path, "chronic_conditions", list[ConditionGroup],
                            doc["chronic_conditions"])
        if groups != list(defs.chronic_conditions):
            raise DefinitionError(
                f"{path}: chronic_conditions: differ from definitions/segments.yml; the "
                "draft's rules are applied to features computed with the current condition "
                "groups: leave chronic_conditions out of the draft or copy them unchanged")

    def fail(key: str, message: str) -> None:
        raise DefinitionError(f"{path}: {key}: {message}")

    check_segments(segments, fail)
    return segments


def _validated(path: Path, key: str, annotation: object, value: object):
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        raise DefinitionError(f"{path}: {_loc((key, *err['loc']))}: {message}") from None
