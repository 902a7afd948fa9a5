"""The per-message shortcuts in bot.rasa_speedups keep Rasa's behaviour."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

import bot.store.rasa_stores  # noqa: F401  (installs the speedups, as the server does)
from bot.store import sqlite_engine_kwargs


def _action():
    return RemoteAction("action_x", None)


def test_action_results_are_still_validated():
    assert RemoteAction._cza_speedups
    good = {"events": [{"event": "slot", "name": "age", "value": 30}],
            "responses": [{"text": "تمام"}]}
    assert _action()._validate_action_result(good)
    with pytest.raises(ValidationError) as raised:
        _action()._validate_action_result({"events": [{"event": "not-an-event"}], "responses": []})
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(ValidationError):
        _action()._validate_action_result({"events": [], "responses": "نص"})


def test_sqlite_files_keep_their_connections(tmp_path):
    pooled = create_engine(f"sqlite:///{tmp_path / 'x.db'}", **sqlite_engine_kwargs(f"sqlite:///{tmp_path / 'x.db'}"))
    assert isinstance(pooled.pool, QueuePool)
    with pooled.connect() as first:
        raw = first.connection.dbapi_connection
    with pooled.connect() as second:
        assert second.connection.dbapi_connection is raw  # same connection, not a new one
    memory = create_engine("sqlite://", **sqlite_engine_kwargs("sqlite://"))
    assert not isinstance(memory.pool, QueuePool)  # one shared in-memory database, not five


def test_events_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        first = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is first
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("nope")

    class LateEvent(ActionExecuted):  # defined after the table was built
        type_name = "cza_late_event"

    assert Event.resolve_by_type("cza_late_event") is LateEvent
    events = Event.from_parameters({"event": "action", "name": "action_listen"})
    assert isinstance(events, ActionExecuted) and events.action_name == "action_listen"
