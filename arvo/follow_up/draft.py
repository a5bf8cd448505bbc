"""The renewal as a draft definitions version: a complete definitions folder.

`<home>/follow-up/<P1>_<P2>/draft/` is a copy of the definitions folder the span ran on
plus `versions/<next id>/` in force from the given month, holding `version.yml` and only
the files the proposals change, each whole, rewritten in ruamel.yaml's round-trip mode so
the commissioner's comments stay. The draft is loaded (validated) before it is put in
place; an invalid one fails loudly and nothing is written. Accepting it is copying
`versions/<id>/` into the repository's definitions/versions/ (docs/follow-up.md).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from arvo import definition_versions, definitions
from arvo.config import Settings
from arvo.follow_up.evaluate import Evaluation
from arvo.follow_up.renewal import Proposal
from arvo.periods import add_months, is_month


def file_in_force(source: Path, name: str) -> Path:
    """The file `name` as the latest version of `source` has it (its own or carried over)."""
    latest = definition_versions.latest(source)
    return latest.files.get(name, latest.folder / name)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments and key order kept
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _node(value: Any, depth: int = 0) -> Any:
    """Plain data as ruamel nodes: nested mappings of scalars in flow style, as the
    definitions files write them ({from_days: -14, to_days: 14})."""
    if isinstance(value, dict):
        node = CommentedMap((k, _node(v, depth + 1)) for k, v in value.items())
        if depth > 0 and all(not isinstance(v, dict | list) for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_node(v, depth + 1) for v in value)
        if depth > 0 and all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    if is_month(value):
        return DoubleQuotedScalarString(value)  # a month, quoted as the files write them
    return value


def apply(doc: Any, edit: dict[str, Any]) -> None:
    """Apply one proposal's edit (set a key, or append items to a list) to a document."""
    *parents, last = edit["path"]
    node = doc
    for key in parents:
        node = node[key]
    if edit["op"] == "set":
        node[last] = edit["value"]
    elif edit["op"] == "append":
        node[last].extend(_node(item) for item in edit["items"])
    else:
        raise ValueError(f"unknown edit {edit['op']!r}")


def write_draft(source: Path, out: Path, proposals: list[Proposal], in_force_from: str,
                description: str, first_from: str) -> tuple[str, list[str]]:
    """Write the draft folder `out` (replacing an earlier draft); return the new version's
    id and the files it changes. A source without versions becomes version v1 in force
    from `first_from`. Raises DefinitionError if the draft does not load."""
    versioned = definition_versions.is_versioned(source)
    new = definition_versions.next_id(source) if versioned else "v2"
    latest = definition_versions.latest(source)
    if latest.in_force_from and in_force_from <= latest.in_force_from:
        raise ValueError(f"--in-force-from {in_force_from} must be after {latest.id}'s "
                         f"{latest.in_force_from}")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".draft-", dir=out.parent))
    try:
        folder = work / "draft"
        shutil.copytree(source, folder)
        if not versioned:
            _dump({"version": "v1", "in_force_from": first_from,
                   "description": "the definitions as they were before the follow-up's "
                                  "first renewal"}, folder / definition_versions.VERSION_FILE)
        target = folder / definition_versions.VERSIONS_DIR / new
        target.mkdir(parents=True)
        changed: dict[str, Any] = {}
        yaml = _yaml()
        for p in proposals:
            if not p.changes:
                continue
            if p.file not in changed:
                changed[p.file] = yaml.load(file_in_force(source, p.file)
                                            .read_text(encoding="utf-8"))
            apply(changed[p.file], p.edit)
        for name, doc in changed.items():
            with (target / name).open("w", encoding="utf-8") as fh:
                yaml.dump(doc, fh)
        _dump({"version": new, "in_force_from": in_force_from, "description": description},
              target / definition_versions.VERSION_FILE)
        validate(folder, new, in_force_from)
        if out.exists():
            shutil.rmtree(out)
        folder.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return new, sorted(changed)


def _dump(data: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        _yaml().dump(_node(data), fh)


def validate(folder: Path, version: str, period: str) -> None:
    """Load the draft as a run in force at `period` would, and check that it is the new
    version (DefinitionError naming the file and key otherwise)."""
    defs = definitions.load(folder, period=period)
    if defs.version != version:
        raise definitions.DefinitionError(
            f"{folder}: the draft's version in force at {period} is {defs.version}, "
            f"not {version}")


@dataclass
class Renewal:
    """The proposals of a follow-up and the draft version they were written as."""

    proposals: list[Proposal]
    version: str
    in_force_from: str
    files: list[str]
    path: Path
    proposals_path: Path


def follow_up_dir(settings: Settings, first: str, last: str) -> Path:
    """`<home>/follow-up/<P1>_<P2>/`: the draft and proposals.yml of the span."""
    return Path(settings.home) / "follow-up" / f"{first}_{last}"


def load_in_force(directory: Path, period: str) -> definitions.Definitions:
    """The definitions in force at `period`."""
    return definitions.load(directory, period=period)


def renew(settings: Settings, ev: Evaluation, in_force_from: str | None = None) -> Renewal:
    """Propose the renewal of the definitions the span ran on and write it as a draft
    version (from `in_force_from`, default the month after P2) and proposals.yml."""
    from arvo.follow_up.renewal import propose

    start = in_force_from or add_months(ev.last, 1)
    source = Path(settings.definitions_dir)
    proposals = propose(ev, load_in_force(source, ev.last), start)
    out = follow_up_dir(settings, ev.first, ev.last)
    changing = sum(p.changes for p in proposals)
    version, files = write_draft(
        source, out / "draft", proposals, start,
        f"renewal proposed by the follow-up of {ev.first}..{ev.last}: {changing} changes "
        f"(proposals.yml beside the draft)", add_months(ev.first, -11))
    path = out / "proposals.yml"
    _dump({"follow_up": f"{ev.first}..{ev.last}", "version": version,
           "in_force_from": start, "files": files,
           "proposals": [p.as_yaml() for p in proposals]}, path)
    return Renewal(proposals, version, start, files, out / "draft", path)
