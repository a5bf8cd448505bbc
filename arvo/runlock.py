"""One writer at a time: an exclusive lock on a file, held by a run while it writes.

`hold(path, holder, on_wait)` takes an exclusive `flock` on `path` (created if absent).
When another process holds it, `on_wait` is called once with who holds it (the holder
text that process wrote into the lock file: its run name, process ID and since when),
and the call blocks until the lock is free; it never fails half-way. The operating
system releases the lock when the holding process ends, killed or not, so a killed run
never leaves the warehouse locked.

The lock is re-entrant within a process: a flow that holds the warehouse (the loop)
can run flows that take it again (each steering period) without waiting for itself.

Every run that writes the warehouse, the lake or the reports takes the warehouse's lock
(`warehouse_lock_path`), whether it runs under a Prefect deployment or from a shell
(docs/operations.md); the scoring workspace of `arvo score` uses the same lock on its
own folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_HELD: dict[Path, int] = {}  # lock path -> nesting depth in this process
_THREADS: dict[Path, threading.RLock] = {}  # lock path -> the lock between this process's threads
_GUARD = threading.Lock()


def warehouse_lock_path(warehouse: Path) -> Path:
    """The lock file of a warehouse: `<warehouse>.lock` beside it."""
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".lock")


def holder_text(name: str) -> str:
    """Who holds a lock, as written into the lock file: run name, process and start."""
    since = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    return f"{name} (process {os.getpid()}, since {since})"


@contextmanager
def hold(path: Path, holder: str, on_wait: Callable[[str], None] | None = None
         ) -> Iterator[None]:
    """Hold the exclusive lock on `path` for the block; wait (after one `on_wait`) while
    another process holds it."""
    path = Path(path).resolve()
    with _GUARD:
        in_process = _THREADS.setdefault(path, threading.RLock())
    with in_process:  # re-entrant in the holding thread; other threads of the process wait
        if _HELD.get(path):
            _HELD[path] += 1
            try:
                yield
            finally:
                _HELD[path] -= 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                if on_wait:
                    on_wait(handle.read().strip() or "another process")
                fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            handle.truncate()
            handle.write(holder + "\n")
            handle.flush()
            _HELD[path] = 1
            try:
                yield
            finally:
                del _HELD[path]
                handle.seek(0)
                handle.truncate()
                handle.flush()
                fcntl.flock(handle, fcntl.LOCK_UN)


def held(path: Path) -> bool:
    """True while this process holds the lock on `path`."""
    return bool(_HELD.get(Path(path).resolve()))
