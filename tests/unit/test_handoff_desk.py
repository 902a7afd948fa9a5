"""The handoff service's desk side without HTTP: transfer, notes and labels, history and
its search, change notices (bot/services/handoff/)."""

from __future__ import annotations

import threading

import pytest

from bot.services import handoff
from bot.store import conversations, reset_engine


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_engine()
    yield
    reset_engine()


@pytest.fixture
def notices():
    got = []
    handoff.events.subscribe(got.append)
    yield got
    handoff.events.unsubscribe(got.append)


def test_only_the_holder_transfers_and_the_colleague_holds_it_at_once(db, notices):
    h = handoff.escalate("telegram:1", "requested")
    assert not handoff.transfer(h.id, "sara", "omar")  # queued: nobody holds it
    assert handoff.claim(h.id, "sara")
    assert not handoff.transfer(h.id, "omar", "khalid")  # not omar's
    assert not handoff.transfer(h.id, "sara", "sara")
    assert handoff.transfer(h.id, "sara", "omar")
    view = handoff.get(h.id)
    assert view.state == "agent" and view.claimed_by == "omar"
    assert not handoff.authorise_reply(h.id, "sara", 3)
    assert handoff.authorise_reply(h.id, "omar", 3)
    assert [n["kind"] for n in notices] == ["escalated", "claimed", "transferred", "replied"]


def test_two_transfers_at_once_only_one_wins(app_db):
    h = handoff.escalate("telegram:2", "requested")
    assert handoff.claim(h.id, "sara")
    results, barrier = [], threading.Barrier(2)

    def go(to):
        barrier.wait()
        results.append(handoff.transfer(h.id, "sara", to))

    threads = [threading.Thread(target=go, args=(to,)) for to in ("omar", "khalid")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


def test_notes_and_labels(db, notices):
    h = handoff.escalate("telegram:3", "requested")
    note = handoff.add_note(h.id, "sara", "جواله 0551234567 ويبي اتصال")
    assert note and "0551234567" not in note["text"]
    assert handoff.add_note(h.id, "sara", "   ") is None
    assert handoff.add_note(99999, "sara", "x") is None
    assert [n["text"] for n in handoff.notes_for(h.id)] == [note["text"]]
    assert conversations.transcript("telegram:3") == []  # a note is not a message
    assert handoff.add_label(h.id, "sara", "الدفعات")
    assert handoff.add_label(h.id, "sara", "الدفعات")  # twice is fine, kept once
    for i in range(9):
        assert handoff.add_label(h.id, "sara", f"تصنيف {i}")
    assert not handoff.add_label(h.id, "sara", "واحد زيادة")  # ten at most
    assert len(handoff.labels_for(h.id)) == 10
    assert handoff.remove_label(h.id, "sara", "الدفعات")
    assert not handoff.remove_label(h.id, "sara", "الدفعات")
    assert {"note", "label"} <= {n["kind"] for n in notices}


def test_history_puts_open_episodes_first_then_the_newest_ended(db):
    old = handoff.escalate("telegram:10", "requested")
    handoff.close(old.id, "sara")
    newer = handoff.escalate("telegram:11", "requested")
    handoff.return_to_bot(newer.id, "omar")
    waiting = handoff.escalate("telegram:12", "requested")
    held = handoff.escalate("telegram:13", "requested")
    handoff.claim(held.id, "sara")
    assert [v.id for v in handoff.history("sara", "all")] == [waiting.id, held.id, newer.id, old.id]
    assert [v.id for v in handoff.history("sara")] == [waiting.id, held.id]
    assert handoff.history("sara", "waiting")[0].position == 1
    assert [v.id for v in handoff.history("sara", "mine")] == [held.id, old.id]
    assert [v.id for v in handoff.history("sara", "closed", limit=1)] == [newer.id]


def test_a_citizen_message_is_noticed(db, notices):
    h = handoff.escalate("web:abc", "requested")
    notices.clear()
    assert handoff.stamp_citizen_message("web:abc")
    assert notices == [{"kind": "message", "handoff": h.id}]
    assert not handoff.stamp_citizen_message("web:nobody")
    assert len(notices) == 1


def test_a_broken_listener_does_not_stop_the_others(db, notices):
    def broken(event):
        raise RuntimeError("boom")

    handoff.events.subscribe(broken)
    try:
        handoff.escalate("telegram:20", "requested")
    finally:
        handoff.events.unsubscribe(broken)
    assert notices and notices[-1]["kind"] == "escalated"


def test_the_public_api_is_importable_from_the_package():
    for name in handoff.__all__:
        assert hasattr(handoff, name), name
    from bot.services.handoff import LEAVE_HINT, escalate, state_of  # noqa: F401


def test_notes_and_labels_go_with_their_episode(db):
    """Retention and erasure delete episodes; their notes and labels must not stay behind."""
    from sqlalchemy import delete, func, select

    from bot.store import session_scope
    from bot.store.handoffs import Handoff, HandoffLabel, HandoffNote

    h = handoff.escalate("telegram:30", "requested")
    handoff.add_note(h.id, "sara", "ملاحظة")
    handoff.add_label(h.id, "sara", "الدفعات")
    with session_scope() as s:
        s.execute(delete(Handoff).where(Handoff.id == h.id))
    with session_scope() as s:
        assert s.execute(select(func.count(HandoffNote.id))).scalar_one() == 0
        assert s.execute(select(func.count(HandoffLabel.id))).scalar_one() == 0


def test_the_desk_sees_which_language_each_citizen_writes_in(db):
    from channels.desk.views import queue_items

    for cid, texts in (
        ("web:en", ["hello, I want an agent", "1023456781"]),  # a number says nothing
        ("web:ar", ["hello", "ابي اكلم موظف"]),  # the latest that says one counts
        ("web:none", []),
    ):
        for text in texts:
            conversations.record_inbound(cid, "web", cid[4:], text)
    found = [handoff.escalate(cid, "requested") for cid in ("web:en", "web:ar", "web:none")]
    items = queue_items(found, "sara", handoff.get(found[0].id).queued_at, {})
    assert [(i["language"], i["language_label"]) for i in items] == [
        ("en", "English"),
        ("ar", "عربي"),
        ("ar", "عربي"),
    ]
