"""dbt's debug events are not turned into log messages that no log would write.

dbt reports what it does through events: about 4,250 in a monthly build at 50,000
residents, 26 a node, nine in ten at debug level (each query, its status, each
connection used, each cache change). dbt-common's `EventManager.fire_event` turns every
event into a protobuf message with its text, time and thread, and each log formats it
as a line, before Python's logging drops the line under the log's level. Arvo's builds
log at `info` to the file and at `warn` to the terminal (arvo.transform), so no debug
line is ever written, yet making them took about 0.7 s of a build's 6 s
(docs/performance-history.md; upstream: dbt-core issue 9030, "Speed Up Event Creation").

`install()` wraps `EventManager.fire_event` so that an event below `info` returns at
once when nothing would take it: no log whose Python logger is enabled for debug, no
callback other than dbt's own `track_behavior_change_warn` (which reads only
BehaviorChangeEvent, a warning), no warn-error handling forced and no
`DBT_TEST_BINARY_SERIALIZATION` check. In every other case, and for every event at
`info` or above, dbt's own method runs as before, so what the logs hold is unchanged; a
log at debug (a data engineer passing `--log-level-file debug`) gets every event.

If dbt-common's event manager is not the one this was written for, dbt's own method
runs: `install()` leaves it in place and returns False when the method's parameters
differ, and an event is passed on whenever a log has no Python logger where this looks
for it. The build is then as slow as before, never different;
`tests/test_dbt_events.py` fails when it is no longer in place with the pinned dbt.

A skipped event was still made: dbt builds each event's protobuf message from its fields
(`BaseEvent.__init__`, protobuf's `ParseDict`, 40 to 85 microseconds an event with its
node's details) before it fires it. `install()` therefore also defers that to the first
use of the event's message (`pb_msg`, which every field and the firing read): an event
that fires builds it at once, as before, and a skipped one never does. dbt's own
`__init__` builds it, with its checks and its warning on a field it cannot parse; if
dbt-common's `BaseEvent` is not the one this was written for, events are built as
before.
"""

from __future__ import annotations

import inspect
import logging
import os
from typing import Any

_PARAMETERS = ["self", "e", "level", "node", "force_warn_or_error_handling"]


def install() -> bool:
    """Skip the debug events no log or callback takes; True when in place (once a process)."""
    try:
        from dbt.tracking import track_behavior_change_warn
        from dbt_common.events.base_types import BaseEvent, EventLevel
        from dbt_common.events.event_manager import EventManager
    except ImportError:
        return False
    _defer_messages(BaseEvent)
    fire_event = EventManager.fire_event
    if getattr(fire_event, "arvo_skips_debug", False):
        return True
    if list(inspect.signature(fire_event).parameters) != _PARAMETERS:
        return False
    below_info = {EventLevel.DEBUG, EventLevel.TEST}

    def nothing_takes(manager: Any, level: Any) -> bool:
        """True when an event at `level` would be written by no log and read by no callback."""
        if level not in below_info or os.environ.get("DBT_TEST_BINARY_SERIALIZATION"):
            return False
        for logger in manager.loggers:
            python_logger = getattr(logger, "_python_logger", _MISSING)
            if python_logger is _MISSING:
                return False  # a logger this was not written for
            if python_logger is not None and python_logger.isEnabledFor(logging.DEBUG):
                return False
        return all(callback is track_behavior_change_warn for callback in manager.callbacks)

    def fire_event_unless_unread(self: Any, e: Any, level: Any = None, node: Any = None,
                                 force_warn_or_error_handling: bool = False) -> None:
        if not force_warn_or_error_handling and nothing_takes(self, level or e.level_tag()):
            return
        fire_event(self, e, level, node, force_warn_or_error_handling)

    fire_event_unless_unread.arvo_skips_debug = True  # type: ignore[attr-defined]
    fire_event_unless_unread.__wrapped__ = fire_event  # type: ignore[attr-defined]
    EventManager.fire_event = fire_event_unless_unread
    return True


_MISSING = object()


def _defer_messages(event_class: Any) -> bool:
    """Build each dbt event's message at its first use, not when the event is made."""
    build = event_class.__init__
    if getattr(build, "arvo_deferred", False):
        return True
    if (list(inspect.signature(build).parameters) != ["self", "args", "kwargs"]
            or "ParseDict" not in build.__code__.co_names
            or "__getattr__" not in vars(event_class) or "__setattr__" not in vars(event_class)):
        return False

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_arvo_fields", (args, kwargs))

    def __getattr__(self: Any, key: str) -> Any:
        if key == "pb_msg":  # not built yet: dbt's own __init__ builds and sets it
            args, kwargs = object.__getattribute__(self, "_arvo_fields")
            build(self, *args, **kwargs)
            return object.__getattribute__(self, "pb_msg")
        return getattr(self.pb_msg, key)

    def __setattr__(self: Any, key: str, value: Any) -> None:
        if key == "pb_msg":
            object.__setattr__(self, key, value)
        else:
            setattr(self.pb_msg, key, value)

    __init__.arvo_deferred = True  # type: ignore[attr-defined]
    __init__.__wrapped__ = build  # type: ignore[attr-defined]
    event_class.__getattr__ = __getattr__  # type: ignore[method-assign]
    event_class.__setattr__ = __setattr__  # type: ignore[method-assign]
    event_class.__init__ = __init__  # type: ignore[method-assign]
    return True
