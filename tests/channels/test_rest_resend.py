"""A REST message sent again under the same id (its answer was lost): stored and answered once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from bot.store import conversations, transaction
from bot.store import inbound as pending_store
from bot.store.base import utcnow
from channels import replay
from channels.inbound import Inbound
from channels.rest import RestOutput, dedup_key
from channels.text import RATE_LIMIT_REPLY

URL = "/webhooks/rest/webhook"


def say(stack, sender, message, headers=None, **extra):
    body = {"sender": sender, "message": message, **extra}
    return httpx.post(f"{stack.url}{URL}", json=body, headers=headers or {}, timeout=30)


def sender() -> str:
    return f"resend-{uuid.uuid4().hex[:10]}"


def citizen_rows(conversation_id):
    return [m for m in conversations.transcript(conversation_id) if m["author"] == "citizen"]


@pytest.mark.parametrize(
    "how",
    [
        lambda mid: ({}, {"message_id": mid}),
        lambda mid: ({"Idempotency-Key": mid}, {}),
        lambda mid: ({}, {"metadata": {"message_id": mid}}),  # what earlier clients sent
    ],
    ids=["body", "header", "metadata"],
)
def test_the_same_id_twice_is_one_turn_and_the_same_answer(fresh, how):
    s, mid = sender(), f"m-{uuid.uuid4().hex[:8]}"
    headers, extra = how(mid)
    first = say(fresh, s, "شروط الأهلية", headers, **extra)
    again = say(fresh, s, "شروط الأهلية", headers, **extra)
    assert first.status_code == again.status_code == 200
    assert first.json() and again.json() == first.json()
    assert again.json()[0]["buttons"]  # the buttons come back too
    assert len(fresh.agent.texts_from(s)) == 1
    assert [m["channel_message_id"] for m in citizen_rows(s)] == [mid]
    assert pending_store.count() == 0


def test_different_ids_are_two_messages(fresh):
    s = sender()
    one = say(fresh, s, "مرحبا", message_id="a-1").json()
    two = say(fresh, s, "مرحبا", message_id="a-2").json()
    assert one == two == [{"recipient_id": s, "text": "وصلني: مرحبا"}]
    assert len(fresh.agent.texts_from(s)) == 2
    assert [m["channel_message_id"] for m in citizen_rows(s)] == ["a-1", "a-2"]


def test_the_same_id_in_another_conversation_is_another_message(fresh):
    a, b = sender(), sender()
    say(fresh, a, "مرحبا", message_id="1")
    assert say(fresh, b, "هلا", message_id="1").json() == [
        {"recipient_id": b, "text": "وصلني: هلا"}
    ]
    assert fresh.agent.texts_from(b) == ["هلا"]


def test_without_an_id_every_request_is_a_new_message(fresh):
    s = sender()
    assert say(fresh, s, "مرحبا").json() == say(fresh, s, "مرحبا").json()
    assert len(fresh.agent.texts_from(s)) == 2
    assert len(citizen_rows(s)) == 2


@pytest.mark.parametrize(
    "headers, extra",
    [
        ({}, {"message_id": "x" * 101}),
        ({}, {"message_id": "two words"}),
        ({}, {"message_id": "رسالة"}),
        ({}, {"message_id": {"id": 1}}),
        ({}, {"message_id": True}),
        ({"Idempotency-Key": "k/1"}, {}),
        ({"Idempotency-Key": "k-1"}, {"message_id": "k-2"}),
    ],
    ids=["too-long", "space", "arabic", "object", "bool", "slash", "two-differ"],
)
def test_an_unusable_id_is_refused_with_a_reason(fresh, headers, extra):
    s = sender()
    r = say(fresh, s, "مرحبا", headers, **extra)
    assert r.status_code == 400
    assert "message_id" in r.json()["error"]
    assert fresh.agent.texts_from(s) == []
    assert conversations.transcript(s) == []


def test_a_copy_sent_while_the_first_is_in_flight_waits_for_its_answer(fresh):
    s = sender()
    answers = {}
    first = threading.Thread(
        target=lambda: answers.update(first=say(fresh, s, "slow", message_id="slow-1").json())
    )
    first.start()
    fresh.run(_until_pending(dedup_key(s, "slow-1")))
    answers["again"] = say(fresh, s, "slow", message_id="slow-1").json()
    first.join(10)
    assert answers["first"] == answers["again"] == [{"recipient_id": s, "text": "انتهيت"}]
    assert fresh.agent.texts_from(s) == ["slow"]
    assert len(citizen_rows(s)) == 1


async def _until_pending(key: str) -> None:
    import asyncio

    for _ in range(200):
        found, _row = pending_store.take(key, "probe", lease_seconds=3600)
        if found:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the first request never became pending")


def _left_by_a_dead_worker(s: str, mid: str, text: str) -> int:
    inbound = Inbound(
        channel="rest",
        conversation_id=s,
        recipient_id=s,
        text=text,
        dedup_key=dedup_key(s, mid),
        channel_message_id=mid,
        verified=True,
        payload_as_text=True,
    )
    row = pending_store.add(
        inbound.dedup_key, "rest", s, replay.encode(inbound, RestOutput(s)), "gone"
    )
    with transaction() as conn:  # its worker stopped renewing the lease long ago
        conn.execute(
            update(pending_store.T)
            .where(pending_store.T.c.id == row)
            .values(claimed_at=utcnow() - timedelta(hours=1))
        )
    return row


def test_a_copy_of_a_message_lost_with_its_worker_takes_the_turn_over(fresh):
    s = sender()
    _left_by_a_dead_worker(s, "lost-1", "مرحبا")
    r = say(fresh, s, "مرحبا", message_id="lost-1")
    assert r.json() == [{"recipient_id": s, "text": "وصلني: مرحبا"}]
    assert fresh.agent.texts_from(s) == ["مرحبا"]
    assert [m["channel_message_id"] for m in citizen_rows(s)] == ["lost-1"]
    assert pending_store.count() == 0
    assert say(fresh, s, "مرحبا", message_id="lost-1").json() == r.json()
    assert fresh.agent.texts_from(s) == ["مرحبا"]


def test_a_copy_of_a_message_stored_before_its_worker_died_is_not_stored_again(fresh):
    # The worker wrote the turn, then died before deleting the row and answering.
    s = sender()
    _left_by_a_dead_worker(s, "stored-1", "مرحبا")
    conversations.record_inbound(s, "rest", s, "مرحبا", "stored-1")
    conversations.record_outbound(s, "وصلني: مرحبا")
    r = say(fresh, s, "مرحبا", message_id="stored-1")
    assert r.status_code == 200 and r.json()  # answered either way
    assert len(citizen_rows(s)) == 1


def test_a_message_refused_by_the_rate_limit_can_be_sent_again_under_its_id(fresh, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    from channels.pipeline import get_pipeline, set_pipeline

    set_pipeline(None)
    s = sender()
    say(fresh, s, "أول", message_id="r-1")
    refused = say(fresh, s, "ثاني", message_id="r-2").json()
    assert refused[0]["text"].startswith(RATE_LIMIT_REPLY)
    get_pipeline().limiter.cache._data.clear()  # the window has passed
    assert say(fresh, s, "ثاني", message_id="r-2").json() == [
        {"recipient_id": s, "text": "وصلني: ثاني"}
    ]
    assert fresh.agent.texts_from(s) == ["أول", "ثاني"]


class _Tracker:
    def __init__(self, events) -> None:
        self.events = events


class _TrackerStore:
    """Rasa's record of a turn whose worker died before writing the transcript."""

    def __init__(self, events) -> None:
        self.tracker = _Tracker(events)

    async def retrieve(self, sender_id):
        return self.tracker


def test_a_turn_rasa_saved_before_its_worker_died_is_answered_from_rasas_record(fresh, monkeypatch):
    from rasa.shared.core.events import BotUttered, UserUttered

    s = sender()
    button = {"title": "شروط الأهلية", "payload": "/check_eligibility"}
    saved = _TrackerStore(
        [
            UserUttered("مرحبا", message_id="saved-1"),
            BotUttered("هلا والله", data={"buttons": [button]}),
        ]
    )
    monkeypatch.setattr(replay, "_tracker_store", lambda: saved)
    _left_by_a_dead_worker(s, "saved-1", "مرحبا")
    expected = [{"recipient_id": s, "text": "هلا والله", "buttons": [button]}]
    assert say(fresh, s, "مرحبا", message_id="saved-1").json() == expected
    assert fresh.agent.texts_from(s) == []  # Rasa had answered it: not asked again
    assert [(m["author"], m["text"]) for m in conversations.transcript(s)] == [
        ("citizen", "مرحبا"),
        ("bot", "هلا والله"),
    ]
    # the transcript has it now: a further copy is answered from there
    monkeypatch.setattr(replay, "_tracker_store", lambda: None)
    assert say(fresh, s, "مرحبا", message_id="saved-1").json() == expected
    assert len(citizen_rows(s)) == 1 and fresh.agent.texts_from(s) == []
