"""Our tracker store reads and writes Rasa's `events` table exactly as Rasa's own
SQLTrackerStore does (it only skips the ORM): same rows, same "latest session" rule."""

import asyncio
import json

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

from bot.store import sqlite_engine_kwargs
from bot.store.tracker_store import EnvTrackerStore

pytestmark = pytest.mark.usefixtures("rasa_patches")  # events are read as the server reads them

DOMAIN = Domain.from_dict({"slots": {"city": {"type": "text", "mappings": [{"type": "custom"}]}}})


def _turn(text, at):
    return [
        UserUttered(text, {"name": "inform", "confidence": 0.9}, timestamp=at),
        SlotSet("city", text, timestamp=at),
        BotUttered(f"رد: {text}", timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def _events(tracker):
    return [e.as_dict() for e in tracker.events] if tracker else None


def test_same_rows_and_sessions_as_rasas_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    ours = EnvTrackerStore(DOMAIN, url=url)
    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))

    async def scenario():
        tracker = await ours.get_or_create_tracker("c1", append_action_listen=False)
        tracker.update(SessionStarted(timestamp=1.0))
        for event in _turn("الرياض", 2.0):
            tracker.update(event)
        await ours.save(tracker)
        await ours.save(tracker)  # nothing new: nothing written twice
        tracker = await ours.retrieve("c1")
        tracker.update(SessionStarted(timestamp=10.0))
        for event in _turn("جدة", 11.0):
            tracker.update(event)
        await ours.save(tracker)  # a loaded tracker: the stored count is known from its load
        tracker.update(ActionExecuted("action_listen", timestamp=12.0))
        await ours.save(tracker)  # a second save in the same turn adds only the new event

        for mine, theirs in (
            (await ours.retrieve("c1"), await rasa_store.retrieve("c1")),
            (await ours.retrieve_full_tracker("c1"), await rasa_store.retrieve_full_tracker("c1")),
        ):
            assert _events(mine) == _events(theirs)
        latest = await ours.retrieve("c1")
        assert [e.as_dict().get("text") for e in latest.events if isinstance(e, UserUttered)] == [
            "جدة"
        ]
        assert latest.get_slot("city") == "جدة"
        full = await ours.retrieve_full_tracker("c1")
        assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["الرياض", "جدة"]
        assert await ours.retrieve("nobody") is None

    asyncio.run(scenario())
    with sa.create_engine(url).connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, intent_name, action_name, data FROM events ORDER BY id")
        ).all()
    assert len(rows) == 11  # 2 session starts + 2 × 4 events + 1, none duplicated
    assert rows[1][:2] == ("user", "inform") and rows[4][2] == "action_listen"
    assert (
        "الرياض" in rows[1][3] and json.loads(rows[1][3])["text"] == "الرياض"
    )  # UTF-8, not \\u escapes


def test_sqlite_files_keep_their_connections(tmp_path):
    pooled = create_engine(
        f"sqlite:///{tmp_path / 'x.db'}", **sqlite_engine_kwargs(f"sqlite:///{tmp_path / 'x.db'}")
    )
    assert isinstance(pooled.pool, QueuePool)
    with pooled.connect() as first:
        raw = first.connection.dbapi_connection
    with pooled.connect() as second:
        assert second.connection.dbapi_connection is raw  # same connection, not a new one
    memory = create_engine("sqlite://", **sqlite_engine_kwargs("sqlite://"))
    assert not isinstance(memory.pool, QueuePool)  # one shared in-memory database, not five
