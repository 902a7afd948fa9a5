"""Each agent's part of an episode, as the desk and the widget read it after a transfer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import reset_engine

T0 = datetime(2026, 11, 10, 7, 0, tzinfo=timezone.utc)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    yield
    reset_engine()


def test_the_wait_estimate_reads_each_claims_own_wait(db, monkeypatch):
    """A transfer is no wait of the citizen's: three 60 s waits, each followed by a
    transfer minutes later, estimate about a minute, not the minutes of handling."""
    monkeypatch.setenv("HANDOFF_MINUTES_PER_CASE", "30")
    for i in range(3):
        view = handoff.escalate(f"web:w{i}", channel="web", now=at(0))
        assert handoff.claim(view.id, "sara", now=at(60))
        assert handoff.transfer(view.id, "sara", "omar", now=at(60 + 1200))
    assert handoff.estimated_wait_minutes(1, now=at(1500)) == 1


def test_the_widget_names_each_agent_on_their_own_messages_after_a_transfer(db):
    from channels.web.agent import name_agent_messages

    desk_auth.create_agent("sara", "a long password 1", "سارة")
    desk_auth.create_agent("omar", "a long password 2", "عمر")
    view = handoff.escalate("web:n1", channel="web", now=at(0))
    assert handoff.claim(view.id, "sara", now=at(10))
    assert handoff.transfer(view.id, "sara", "omar", now=at(100))
    messages = [
        {"author": "agent", "at": at(50).isoformat(), "text": "أهلا"},
        {"author": "agent", "at": at(150).isoformat(), "text": "معك عمر"},
    ]
    name_agent_messages("web:n1", messages)
    assert [m.get("name") for m in messages] == ["سارة", "عمر"]


def test_the_desk_shows_the_wait_until_the_claim_not_until_the_transfer(db):
    from channels.desk.views import queue_items

    view = handoff.escalate("web:d1", channel="web", now=at(0))
    assert handoff.claim(view.id, "sara", now=at(18))
    assert handoff.transfer(view.id, "sara", "omar", now=at(98))
    item = queue_items([handoff.get(view.id)], "omar", at(300), {})[0]
    assert item["waiting_seconds"] == 18
