"""dbt's debug events skipped when no log or callback takes them, and each event's
message built at its first use (arvo/dbt_events.py): in place with the pinned dbt, the
logs hold what dbt's own methods give them, and a skipped event's message is never built."""

from __future__ import annotations

import io
import re

import pytest
from dbt.adapters.events.types import SQLQuery
from dbt.tracking import track_behavior_change_warn
from dbt_common.events import base_types
from dbt_common.events import event_manager as event_manager_module
from dbt_common.events.base_types import BaseEvent, EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LoggerConfig
from dbt_common.events.types import Note

from arvo import dbt_events


def _manager(*levels: EventLevel, callbacks=()) -> tuple[EventManager, list[io.StringIO]]:
    """An event manager with a text log at each of `levels`, each into its own buffer."""
    manager = EventManager()
    streams = []
    for n, level in enumerate(levels):
        stream = io.StringIO()
        manager.add_logger(LoggerConfig(name=f"arvo_test_{n}_{level.value}", level=level,
                                        output_stream=stream))
        streams.append(stream)
    manager.callbacks = list(callbacks)
    return manager, streams


def _events() -> list:
    return [SQLQuery(conn_name="model.arvo.mart_segment_value", sql="select 1",
                     node_info={}),
            Note(msg="an info line"), SQLQuery(conn_name="master", sql="select 2", node_info={}),
            Note(msg="another info line")]


def _lines(stream: io.StringIO) -> list[str]:
    return [re.sub(r"^\d\d:\d\d:\d\d(\.\d+)?", "T", line) for line in
            stream.getvalue().splitlines()]


def test_it_is_in_place_with_the_pinned_dbt():
    """An upgrade of dbt-common that changes the event manager fails here, not silently."""
    assert dbt_events.install() is True
    assert getattr(EventManager.fire_event, "arvo_skips_debug", False)
    assert dbt_events.install() is True  # once: installing again wraps nothing twice
    assert not getattr(EventManager.fire_event.__wrapped__, "arvo_skips_debug", False)
    assert getattr(BaseEvent.__init__, "arvo_deferred", False)
    assert not getattr(BaseEvent.__init__.__wrapped__, "arvo_deferred", False)


@pytest.mark.parametrize("levels", [(EventLevel.INFO,), (EventLevel.WARN, EventLevel.INFO),
                                    (EventLevel.DEBUG,), (EventLevel.WARN, EventLevel.DEBUG)])
def test_every_log_holds_the_lines_dbts_own_method_writes(levels):
    dbt_events.install()
    lines = {}
    for name, fire in (("dbt's own", EventManager.fire_event.__wrapped__),
                       ("arvo", EventManager.fire_event)):
        manager, streams = _manager(*levels, callbacks=[track_behavior_change_warn])
        for event in _events():
            fire(manager, event)
        lines[name] = [_lines(s) for s in streams]
    assert lines["arvo"] == lines["dbt's own"]
    for level, written in zip(levels, lines["arvo"], strict=True):
        queries = [line for line in written if "select" in line]
        assert len(queries) == (2 if level == EventLevel.DEBUG else 0), (level, written)
        assert sum("info line" in line for line in written) == (
            0 if level == EventLevel.WARN else 2)


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The names of the events dbt makes a log message of, in order."""
    dbt_events.install()
    names: list[str] = []
    real = event_manager_module.msg_from_base_event
    monkeypatch.setattr(event_manager_module, "msg_from_base_event",
                        lambda e, level=None: names.append(type(e).__name__) or real(e, level))
    return names


def test_below_info_no_message_is_made_when_nothing_takes_it(made):
    """The saving: dbt makes no message of a debug event for logs at info and warn."""
    manager, streams = _manager(EventLevel.WARN, EventLevel.INFO,
                                callbacks=[track_behavior_change_warn])
    for event in _events():
        manager.fire_event(event)
    assert made == ["Note", "Note"]
    assert len(_lines(streams[1])) == 2


def test_a_callback_of_its_own_still_reads_every_event():
    """A dbtRunner given callbacks (none in Arvo) gets the debug events too."""
    dbt_events.install()
    read = []
    manager, _ = _manager(EventLevel.INFO, callbacks=[lambda msg: read.append(msg.info.name)])
    for event in _events():
        manager.fire_event(event)
    assert read == ["SQLQuery", "Note", "SQLQuery", "Note"]


def test_forced_warn_or_error_handling_is_left_to_dbt(made):
    manager, _ = _manager(EventLevel.INFO)
    manager.fire_event(_events()[0], force_warn_or_error_handling=True)
    assert made == ["SQLQuery"]


def _made_by_dbt(cls, **fields):
    """The event as dbt's own __init__ makes it: its message built at once."""
    event = object.__new__(cls)
    BaseEvent.__init__.__wrapped__(event, **fields)
    return event


@pytest.mark.parametrize("cls, fields", [
    (SQLQuery, {"conn_name": "model.arvo.mart_segment_value", "sql": "select 1",
                "node_info": {"node_name": "mart_segment_value", "node_status": "started",
                              "node_relation": {"schema": "main", "alias": "m"}}}),
    (Note, {"msg": "a line"}),
])
def test_a_deferred_event_holds_what_dbt_would_have_made(cls, fields):
    dbt_events.install()
    deferred, built = cls(**fields), _made_by_dbt(cls, **fields)
    assert "pb_msg" not in vars(deferred) and "pb_msg" in vars(built)
    assert deferred.to_json() == built.to_json()
    assert deferred.message() == built.message()
    for name in fields:
        assert str(getattr(deferred, name)) == str(getattr(built, name))
    name = next(iter(fields))  # a field set afterwards lands in the message, as in dbt's
    setattr(deferred, name, "changed")
    setattr(built, name, "changed")
    assert deferred.to_dict() == built.to_dict()
    assert getattr(deferred, name) == "changed"


def test_a_skipped_event_never_builds_its_message(monkeypatch):
    """The saving of deferring: no protobuf message for the debug events nothing takes."""
    dbt_events.install()
    parsed: list[str] = []
    real = base_types.ParseDict
    monkeypatch.setattr(base_types, "ParseDict",
                        lambda fields, msg: parsed.append(type(msg).__name__) or real(fields, msg))
    manager, streams = _manager(EventLevel.INFO, callbacks=[track_behavior_change_warn])
    for event in _events():
        manager.fire_event(event)
    assert [name for name in parsed if not name.endswith("Msg")] == ["Note", "Note"]
    assert not any(name.startswith("SQLQuery") for name in parsed)
    assert len(_lines(streams[0])) == 2


def test_a_field_dbt_cannot_parse_still_fails_when_the_event_is_used():
    """dbt's own check runs at the first use (under pytest dbt raises; else it warns)."""
    dbt_events.install()
    event = SQLQuery(conn_name="master", sql="select 1", node_info={"node_name": ["a list"]})
    with pytest.raises(Exception, match="Unable to parse logging event dictionary"):
        event.message()
