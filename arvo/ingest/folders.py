"""What a provider's folder holds: its month folders, their entity files, and the rest.

`<raw>/<provider>/<YYYY-MM>/{events,episodes,proms}.{csv,parquet}` is read; everything
else under the provider's folder (a month folder named `2025-1` or `2025-13`, a file
named `events_korjattu.csv`, `proms.csv.bak` or `saate.txt`, a file outside any month
folder) is an `Unrecognised` item, listed in the ingest log and the provider's feedback
with what its name should be. Nothing is ignored without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from arvo.contract import ENTITIES, FILE_SUFFIXES
from arvo.messages import Message, msg
from arvo.periods import MONTH
from arvo.redact import shown

_MONTHISH = re.compile(r"^(\d{4})\s*[-_./ ]?\s*(\d{1,2})$")
_NAMING = msg("a month folder holds events, episodes and proms files, each as .csv or "
               ".parquet (e.g. events.csv)")


@dataclass(frozen=True)
class Unrecognised:
    """A file or folder under a provider's folder that is not read, and why."""

    path: str  # relative to the provider's folder, e.g. "2025-01/saate.txt"
    kind: str  # file | folder
    message: Message


@dataclass
class Month:
    """One month folder: entity -> its files (two or more is a conflict), and the rest."""

    month: str
    files: dict[str, list[Path]] = field(default_factory=dict)
    unrecognised: list[Unrecognised] = field(default_factory=list)


def submission_months(raw_dir: Path, provider_id: str, up_to: str | None = None) -> list[str]:
    """Months (YYYY-MM folders) a provider has submitted, up to and including `up_to`."""
    folder = raw_dir / provider_id
    if not folder.is_dir():
        return []
    months = sorted(p.name for p in folder.iterdir() if p.is_dir() and MONTH.match(p.name))
    return [m for m in months if up_to is None or m <= up_to]


def month_contents(raw_dir: Path, provider_id: str, month: str) -> Month:
    """The entity files of one month folder and what else it holds."""
    out = Month(month)
    for path in sorted((raw_dir / provider_id / month).iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if path.is_file() and stem in ENTITIES and suffix in FILE_SUFFIXES:
            out.files.setdefault(stem, []).append(path)
        else:
            out.unrecognised.append(_unrecognised(path, f"{month}/{path.name}"))
    return out


def unrecognised_items(raw_dir: Path, provider_id: str, up_to: str | None = None
                       ) -> list[Unrecognised]:
    """Everything under the provider's folder that is not read, up to month `up_to`."""
    folder = raw_dir / provider_id
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and MONTH.match(path.name):
            if up_to is None or path.name <= up_to:
                items += month_contents(raw_dir, provider_id, path.name).unrecognised
        elif path.is_dir():
            items.append(Unrecognised(shown(path.name), "folder", _folder_advice(path.name)))
        else:
            items.append(Unrecognised(shown(path.name), "file",
                                      msg("files go into a month folder named YYYY-MM; "
                                          "this one is not read")))
    return items


def _folder_advice(name: str) -> Message:
    m = _MONTHISH.match(name.strip())
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return msg("not a month folder name; name it {name} (YYYY-MM) to have it read",
                       name=f"{year:04d}-{month:02d}")
        return msg("not a month: there is no month {month}; month folders are named YYYY-MM",
                   month=month)
    return msg("not a month folder name; month folders are named YYYY-MM, e.g. 2025-01")


def _unrecognised(path: Path, relative: str) -> Unrecognised:
    name = path.name.lower()
    if path.is_dir():
        return Unrecognised(shown(relative), "folder",
                            msg("folders inside a month folder are not read; {naming}",
                                naming=_NAMING))
    entity = next((e for e in ENTITIES if name.startswith(e) or name.startswith(e[:-1])), None)
    if entity and any(name.endswith(s) for s in FILE_SUFFIXES):
        advice = msg("not read: name it {entity}.csv or {entity}.parquet; a corrected file "
                     "replaces the earlier one under the same name", entity=entity)
    elif entity:
        advice = msg("not read (a copy or backup?); only {entity}.csv or {entity}.parquet is "
                     "read", entity=entity)
    else:
        advice = msg("not a submission file and not read; {naming}", naming=_NAMING)
    return Unrecognised(shown(relative), "file", advice)
