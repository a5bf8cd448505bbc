"""Writing reports whole or not at all: a file is written aside and renamed over the old
one; a report folder (a period's reports, a definition or follow-up report with its PDF) is
written into a hidden staging folder beside it and swapped in whole (`staged`), so a
reader sees the old complete folder or the new complete folder, never a half-written one
(docs/reruns.md)."""

from __future__ import annotations

import csv
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from arvo.config import Settings

STAGING = ".staging-"
"""In the name of a hidden staging folder under the reports folder:
`.<report folder>.staging-<random>` (e.g. `.2025-12.staging-k3j9`)."""


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 `text` to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """`;`-separated UTF-8 with BOM and CRLF, so Finnish Excel opens it as columns.
    Dates are written as ISO dates and None as an empty cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    tmp.replace(path)
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@contextmanager
def staged(settings: Settings, folder: Path) -> Iterator[Settings]:
    """`settings` with its reports folder moved to a fresh hidden staging folder under
    `settings.reports_dir`: what the body writes to the place of `folder` (a folder under
    the reports folder) there replaces `folder` whole when the body returns; if the body
    raises, or the process dies, `folder` is left as it was. Staging folders left by a
    killed run are removed first (those whose writer is gone: each is locked while used)."""
    reports = Path(settings.reports_dir)
    relative = Path(folder).relative_to(reports)
    reports.mkdir(parents=True, exist_ok=True)
    remove_leftovers(reports)
    root = Path(tempfile.mkdtemp(prefix=".{}{}".format("-".join(relative.parts), STAGING),
                                 dir=reports))
    lock = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield settings.model_copy(update={"reports_dir": root})
        new = root / relative
        new.mkdir(parents=True, exist_ok=True)
        _swap_in(new, Path(folder), root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        os.close(lock)


def moved(paths: Iterable[Path], aside: Settings, settings: Settings) -> list[Path]:
    """The paths written under `aside`'s reports folder (see `staged`), at their place
    under `settings`' reports folder."""
    return [Path(settings.reports_dir) / Path(p).relative_to(aside.reports_dir)
            for p in paths]


def remove_leftovers(reports: Path) -> list[Path]:
    """Remove the staging folders under `reports` that no running writer holds (left by a
    killed run); return them."""
    removed = []
    for path in sorted(reports.glob(f".*{STAGING}*")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a running writer's
        else:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _swap_in(new: Path, target: Path, scratch: Path) -> None:
    """Put the folder `new` at `target`: one atomic exchange where the system has it (the
    old folder lands at `new`, inside the staging folder), else two renames (the old folder
    to `scratch`, the new one in: for a moment there is no folder, never a partial one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if _exchange(new, target):
            return
        target.rename(scratch / ".previous")
    new.rename(target)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where the
    C library or the file system does not offer it."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))
