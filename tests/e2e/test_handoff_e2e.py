"""Handoff end to end over the REST channel, with the real assistant and action server.

The citizen asks for a person; from then on nothing they send reaches Rasa (no reply,
no tracker event), not even after Rasa's session has expired or after "/restart",
until an agent hands the conversation back on the desk; then the bot answers again.
"""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
import requests

from bot.services import handoff
from bot.store import conversations

pytestmark = pytest.mark.server
PASSWORD = "e2e desk password"


def chat(server, text, sender):
    response = requests.post(
        f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def tracker_events(rasa_stack, sender):
    """Rasa's events for a conversation, from its tracker store (SQLite in the tests)."""
    path = rasa_stack.env()["TRACKER_DB"]
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT id, timestamp, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()


def expire_rasa_session(rasa_stack, sender, seconds=3 * 3600):
    """Move the conversation's events into the past: Rasa's session (60 min) has expired."""
    path = rasa_stack.env()["TRACKER_DB"]
    with sqlite3.connect(path) as db:
        for event_id, ts, data in db.execute(
            "SELECT id, timestamp, data FROM events WHERE sender_id = ?", (sender,)
        ).fetchall():
            event = json.loads(data)
            event["timestamp"] = event.get("timestamp", ts) - seconds
            db.execute(
                "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                (ts - seconds, json.dumps(event), event_id),
            )


@pytest.fixture
def agent_desk(rasa_server):
    from bot.services.desk import accounts as desk_auth
    from tests.channels.test_desk_delivery import DeskHttp

    username = "e2e_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "ريم")
    return DeskHttp(rasa_server, username, PASSWORD)


def test_bot_stays_silent_during_handoff_across_session_expiry_and_restart(
    rasa_server, rasa_stack, agent_desk
):
    sender = "e2e-handoff-" + uuid.uuid4().hex[:8]
    in_hours = handoff.in_working_hours()
    reply = texts(chat(rasa_server, "ابي اكلم موظف", sender))
    if in_hours == handoff.in_working_hours():  # not at the 8:00/20:00 boundary
        if in_hours:
            assert "الانتظار المتوقع" in reply, reply
        else:
            assert "خارج وقت الدوام" in reply and "صوتك مسموع" in reply and "19912" in reply, reply
    view = handoff.open_for(sender)
    assert view is not None and view.state == "queued" and view.reason == "requested"
    events = len(tracker_events(rasa_stack, sender))

    ack = texts(chat(rasa_server, "فيه احد؟", sender))  # the first message is acknowledged
    assert ack.startswith("وصلت رسالتك") and handoff.LEAVE_HINT in ack, ack
    assert chat(rasa_server, "/restart", sender) == []  # the next ones are not
    expire_rasa_session(rasa_stack, sender)
    assert chat(rasa_server, "وش شروط حساب المواطن", sender) == []  # an FAQ the bot knows
    assert chat(rasa_server, "/restart", sender) == []
    assert len(tracker_events(rasa_stack, sender)) == events  # Rasa saw none of it
    assert handoff.state_of(sender) == "queued"

    said = [m["text"] for m in conversations.transcript(sender) if m["author"] == "citizen"]
    assert said[-4:] == ["فيه احد؟", "restart", "وش شروط حساب المواطن", "restart"]

    # An agent takes it on the desk served by the Rasa server, answers, hands it back.
    queue = agent_desk.queue()
    assert any(i["id"] == view.id and i["unread"] for i in queue)
    assert agent_desk.act(view.id, "claim").status_code == 200
    assert chat(rasa_server, "شكرا", sender) == []  # still with the agent
    r = agent_desk.act(view.id, "reply", {"text": "أهلًا، وش أقدر أخدمك فيه؟"})
    assert r.status_code == 200 and r.json()["note"]  # REST: recorded, not pushed
    assert agent_desk.act(view.id, "return").status_code == 200
    assert handoff.state_of(sender) == "bot"
    tail = [(m["author"], m["text"]) for m in conversations.transcript(sender)][-4:]
    assert [a for a, _ in tail] == ["system", "citizen", "agent", "bot"]
    assert tail[-1][1].startswith(handoff.RESUME_TEXT)  # with the rating question

    answer = texts(chat(rasa_server, "وش شروط حساب المواطن", sender))
    assert "شروط" in answer and len(tracker_events(rasa_stack, sender)) > events


def test_asking_again_while_queued_does_not_queue_twice(rasa_server):
    sender = "e2e-twice-" + uuid.uuid4().hex[:8]
    assert "موظف" in texts(chat(rasa_server, "حولني لموظف لو سمحت", sender))
    again = texts(chat(rasa_server, "ابي موظف بشري", sender))
    assert again.startswith("وصلت رسالتك") and "حوّلت" not in again, (
        again
    )  # queued once, acknowledged
    assert len([v for v in handoff.queue() if v.conversation_id == sender]) == 1


def test_a_waiting_citizen_can_go_back_to_the_bot(rasa_server):
    sender = "e2e-leave-" + uuid.uuid4().hex[:8]
    assert "إلغاء" in texts(chat(rasa_server, "ابي اكلم موظف", sender))
    assert handoff.state_of(sender) == "queued"
    assert texts(chat(rasa_server, "إلغاء", sender)) == handoff.LEFT_QUEUE_TEXT
    assert handoff.state_of(sender) == "bot"
    assert "شروط" in texts(chat(rasa_server, "وش شروط حساب المواطن", sender))
