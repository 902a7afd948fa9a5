"""End to end with the servers `make run` starts (the `rasa_server` fixture, which runs the
notification sender too): a status change in the back office reaches the citizen, and a
citizen who writes «إيقاف التنبيهات» over REST hears nothing more."""

import time
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.content import case_text
from bot.services.notifications import optout
from bot.services.tickets import records as tickets
from bot.store import reset_engine, session_scope
from bot.store.notifications import Notification
from bot.store.sms import SmsMessage

pytestmark = pytest.mark.server

NATIONAL_ID, MOBILE = "1023456708", "0550000002"  # fictional; not the tickets test's citizen


@pytest.fixture
def store(rasa_server):
    reset_engine()  # use the DATABASE_URL the fixture exported
    yield
    reset_engine()


def chat(server, sender, text):
    r = requests.post(
        f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=90
    )
    assert r.status_code == 200, r.text[:300]
    return "\n".join(m.get("text", "") for m in r.json())


def _ticket(sender: str) -> str:
    ticket, _ = tickets.create_ticket(
        NATIONAL_ID, MOBILE, "payment", "الدفعة ناقصة", f"k-{sender}", sender, "rest"
    )
    return ticket.number


def _row(number: str):
    with session_scope() as s:
        return s.execute(
            select(Notification).where(Notification.subject_number == number)
        ).scalar_one()


def _sms_about(number: str):
    with session_scope() as s:
        return [
            m
            for m in s.execute(select(SmsMessage).where(SmsMessage.kind == "notification"))
            .scalars()
            .all()
            if number in m.body
        ]


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_the_running_sender_delivers_a_status_change(rasa_server, store):
    sender = f"e2e-n-{uuid.uuid4().hex[:8]}"
    chat(rasa_server, sender, "السلام عليكم")  # a REST conversation: told by SMS
    number = _ticket(sender)
    tickets.set_status(number, "resolved", actor="backoffice:e2e")
    assert _wait(lambda: _row(number).state == "sent")
    [sms] = _sms_about(number)
    assert "تم الحل" in sms.body and sms.to == "+966" + MOBILE[1:]


def test_a_citizen_stops_and_resumes_notifications_in_their_own_words(rasa_server, store):
    sender = f"e2e-n-{uuid.uuid4().hex[:8]}"
    assert case_text("notifications.stopped") in chat(rasa_server, sender, "ايقاف التنبيهات")
    assert optout.is_stopped(conversation_id=sender)
    number = _ticket(sender)
    tickets.set_status(number, "in_progress")
    assert _row(number).state == "skipped"
    time.sleep(2)
    assert _sms_about(number) == []
    assert case_text("notifications.resumed") in chat(rasa_server, sender, "شغل التنبيهات")
    assert not optout.is_stopped(conversation_id=sender)
