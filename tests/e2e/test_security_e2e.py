"""Tried from outside as an attacker would, against what `make run` starts (the shared
`rasa_stack`): the action server obeys only Rasa, SMS to one mobile stop at its budget
while every conversation still gets its ticket number, and the desk grants no other site
anything."""

from __future__ import annotations

import random
import re
import socket
import uuid
from typing import Optional

import pytest
import requests
from sqlalchemy import select

from bot.services.verification.validators import luhn_check_digit
from bot.store import reset_engine, session_scope
from bot.store.sms import SmsMessage
from bot.store.tickets import Ticket

pytestmark = pytest.mark.server
TICKET_NUMBER = re.compile(r"رقم البلاغ: (\d{8})")


def fresh_national_id(rng=random) -> str:
    body = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return body + luhn_check_digit(body)


def fresh_mobile(rng=random) -> str:
    return "055" + "".join(str(rng.randint(0, 9)) for _ in range(7))


def e164(mobile: str) -> str:
    return "+966" + mobile[1:]


def chat(server: str, sender: str, text: str):
    reply = requests.post(
        f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=90
    )
    assert reply.status_code == 200, reply.text[:300]
    return reply.json()


def said(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def open_ticket(server: str, sender: str, national_id: str, mobile: str) -> str:
    """The whole "صوتك مسموع" conversation over REST; returns what the bot said at the end."""
    assert "رقم الهوية" in said(chat(server, sender, "ابي افتح بلاغ"))
    chat(server, sender, national_id)
    replies = chat(server, sender, mobile)
    category = next(
        b["payload"] for r in replies for b in r.get("buttons", []) if '"payment"' in b["payload"]
    )
    chat(server, sender, category)
    chat(server, sender, "الدعم نقص هالشهر بدون سبب والدخل ما تغير")
    return said(chat(server, sender, "/affirm"))


def outbox_statuses(mobile: str):
    with session_scope() as s:
        return [
            m.status
            for m in s.execute(
                select(SmsMessage).where(SmsMessage.to == e164(mobile)).order_by(SmsMessage.id)
            ).scalars()
        ]


def tickets_of(national_id: str):
    with session_scope() as s:
        return (
            s.execute(select(Ticket.number).where(Ticket.national_id == national_id))
            .scalars()
            .all()
        )


def action_call(action: str, slots: dict, sender: Optional[str] = None) -> dict:
    sender = sender or f"forged-{uuid.uuid4().hex[:8]}"
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "/affirm"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def forged_ticket(national_id: str, mobile: str) -> dict:
    return action_call(
        "action_submit_ticket",
        {
            "ticket_national_id": national_id,
            "ticket_mobile": mobile,
            "ticket_category": "payment",
            "ticket_description": "made up",
            "ticket_confirm": True,
            "ticket_submission_id": uuid.uuid4().hex,
        },
    )


def direct_calls_are_refused(actions_url: str, token: str) -> None:
    """Shared with the production profile's test: no secret, no action; the secret, the action."""
    national_id, mobile = fresh_national_id(), fresh_mobile()
    for headers in ({}, {"Authorization": "Bearer guessed-token-0123456789"}):
        for _ in range(3):
            reply = requests.post(
                f"{actions_url}/webhook",
                json=forged_ticket(national_id, mobile),
                headers=headers,
                timeout=30,
            )
            assert reply.status_code == 401
        otp_call = action_call(
            "validate_objection_form",
            {
                "objection_national_id": national_id,
                "objection_number": "100000009",
                "requested_slot": "objection_number",
            },
        )
        assert (
            requests.post(
                f"{actions_url}/webhook", json=otp_call, headers=headers, timeout=30
            ).status_code
            == 401
        )
    assert tickets_of(national_id) == [] and outbox_statuses(mobile) == []
    # the same call with the secret works: the secret is the barrier
    reply = requests.post(
        f"{actions_url}/webhook",
        json=forged_ticket(national_id, mobile),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text[:300]
    assert len(tickets_of(national_id)) == 1


def this_machines_address() -> Optional[str]:
    """An address of this machine that is not loopback (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def assert_loopback_only(port: int) -> None:
    address = this_machines_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((address, port)) != 0, f"the action server answers on {address}"
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def store(rasa_stack):
    reset_engine()
    yield rasa_stack
    reset_engine()


def test_the_action_server_listens_on_loopback_only(store):
    assert store.env()["ACTIONS_HOST"] == "127.0.0.1"
    assert_loopback_only(store.actions_port)


def test_direct_calls_without_the_secret_run_nothing(store):
    log = store.log_dir / "actions.log"
    mark = log.stat().st_size if log.exists() else 0
    direct_calls_are_refused(
        f"http://127.0.0.1:{store.actions_port}", store.env()["ACTION_SERVER_TOKEN"]
    )
    # Each refusal is written to the action server's log (what the next test reads).
    assert "without the shared secret refused" in log.read_bytes()[mark:].decode(errors="replace")


def test_eight_conversations_for_one_mobile_send_at_most_the_budget(store):
    """Rasa's own calls carry the secret (every step of these forms runs an action), and
    the SMS pumping of the issue stops at the per-mobile budget (3 an hour)."""
    # The action server's own log is where a refused call shows: no log, no check.
    log = store.log_dir / "actions.log"
    assert log.exists(), f"{log} is missing: a refused call would go unseen"
    assert b"Action endpoint is up and running" in log.read_bytes()
    mark = log.stat().st_size
    mobile = fresh_mobile()
    endings = [
        open_ticket(store.url, f"pump-{uuid.uuid4().hex[:8]}", fresh_national_id(), mobile)
        for _ in range(8)
    ]
    numbers = [TICKET_NUMBER.search(text) for text in endings]
    assert all(numbers), endings
    assert len({n.group(1) for n in numbers}) == 8
    assert sum("أرسلت لك الرقم برسالة نصية" in text for text in endings) == 3
    assert sum("ما قدرت أرسل الرسالة النصية" in text for text in endings) == 5
    assert outbox_statuses(mobile) == ["stored"] * 3 + ["skipped_budget"] * 5
    written = log.read_bytes()[mark:].decode(errors="replace")
    assert "without the shared secret refused" not in written


def grants(reply) -> dict:
    return {
        k.lower(): v for k, v in reply.headers.items() if k.lower().startswith("access-control-")
    }


def test_the_running_server_grants_no_foreign_origin(store):
    foreign = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-csrf-token",
    }
    for method, path in (
        ("GET", "/desk"),
        ("GET", "/desk/login"),
        ("OPTIONS", "/desk/api/me"),
        ("OPTIONS", "/desk/login"),
        ("OPTIONS", "/webhooks/rest/webhook"),
        ("GET", "/"),
        ("OPTIONS", "/"),
    ):
        reply = requests.request(
            method, f"{store.url}{path}", headers=foreign, timeout=10, allow_redirects=False
        )
        assert grants(reply) == {}, (method, path)
    # the widget may be embedded anywhere by default, without credentials
    widget = requests.get(
        f"{store.url}/chat/widget.js", headers={"Origin": "https://evil.example"}, timeout=10
    )
    assert grants(widget) == {"access-control-allow-origin": "*"}
