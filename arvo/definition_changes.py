"""What changed between versions of the definitions: the change log (`arvo definitions
changes`, docs/definitions.md), and the check of a whole history (`arvo definitions check`).

Items are compared by what names them (a segment by its code, an obligation by its scope
and sector, a payment rule by package and sector), so reordering a file is no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arvo import definition_versions, definitions
from arvo.definitions import DefinitionError, Definitions


@dataclass(frozen=True)
class Change:
    """One item added, removed or changed from one version to the next."""

    version: str  # the version that makes the change
    in_force_from: str | None
    file: str
    kind: str  # added | removed | changed
    item: str  # e.g. "obligation segment FRAIL_ELDERLY, sector all"
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (field, old, new) of a changed item

    def __str__(self) -> str:
        text = f"{self.version} {self.file}: {self.kind} {self.item}"
        if self.fields:
            text += "; " + "; ".join(f"{f}: {_short(o)} -> {_short(n)}"
                                     for f, o, n in self.fields)
        return text


def _items(defs: Definitions) -> dict[str, dict[str, dict]]:
    """file -> {item name -> its fields} of every keyed list in the definitions."""
    def keyed(items, name) -> dict[str, dict]:
        return {name(i): i.model_dump(mode="json") for i in items}

    return {
        "providers.yml": keyed(defs.providers, lambda p: f"provider {p.id}"),
        "service_types.yml": keyed(defs.service_types, lambda s: f"service type {s.code}"),
        "packages.yml": keyed(defs.packages, lambda p: f"package {p.code}"),
        "segments.yml": {**keyed(defs.segments, lambda s: f"segment {s.code}"),
                         **keyed(defs.chronic_conditions,
                                 lambda g: f"chronic condition group {g.group}")},
        "obligations.yml": keyed(defs.obligations, lambda o: f"obligation {o.scope} "
                                 f"{o.scope_code}, sector {o.sector}"),
        "objectives.yml": keyed(defs.objectives, lambda o: f"objective {o.code}"),
        "payments.yml": keyed(defs.payments.rules,
                              lambda r: f"payment rule {r.package}, sector {r.sector}"),
        "verdicts.yml": {"verdict rules": defs.verdicts.model_dump(mode="json")},
    }


def compare(old: Definitions, new: Definitions) -> list[Change]:
    """The items `new` adds, removes or changes against `old`, file by file."""
    before, after = _items(old), _items(new)
    changes = []
    for file in after:
        a, b = before[file], after[file]
        for name in b:
            if name not in a:
                changes.append(Change(new.version, new.in_force_from, file, "added", name))
            elif a[name] != b[name]:
                fields = tuple((k, a[name].get(k), b[name].get(k))
                               for k in sorted(set(a[name]) | set(b[name]))
                               if a[name].get(k) != b[name].get(k))
                changes.append(Change(new.version, new.in_force_from, file, "changed", name,
                                      fields))
        changes += [Change(new.version, new.in_force_from, file, "removed", name)
                    for name in a if name not in b]
    return changes


def change_log(directory: Path) -> list[Change]:
    """Every change of the folder's history, oldest version first."""
    versions = definition_versions.history(directory)
    loaded = [definitions.load(directory, version=v.id) for v in versions]
    return [c for old, new in zip(loaded, loaded[1:], strict=False) for c in compare(old, new)]


@dataclass(frozen=True)
class CheckResult:
    """What `arvo definitions check` found: the versions valid and each error."""

    directory: Path
    valid: tuple[str, ...]
    errors: tuple[str, ...]


def check(path: Path) -> CheckResult:
    """Validate a definitions folder (every version) or one version folder
    (`definitions/versions/<id>`), collecting every version's errors."""
    path = Path(path)
    root, only = path, None
    if path.parent.name == definition_versions.VERSIONS_DIR and \
            definition_versions.is_versioned(path.parent.parent):
        root, only = path.parent.parent, path.name
    if not root.is_dir():
        return CheckResult(root, (), (f"{root}: not a folder",))
    try:
        versions = definition_versions.history(root)
    except definition_versions.VersionError as exc:
        return CheckResult(root, (), (str(exc),))
    valid, errors = [], []
    for v in versions:
        if only is not None and v.id != only:
            continue
        try:
            definitions.load(root, version=v.id)
            valid.append(v.label())
        except DefinitionError as exc:
            errors.append(f"version {v.label()}: {exc}")
    if only is not None and not valid and not errors:
        errors.append(f"{path}: no version {only!r} in {root}")
    return CheckResult(root, tuple(valid), tuple(errors))


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
