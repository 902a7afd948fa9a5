"""SMS budgets per mobile, per national ID and overall, on SQLite and PostgreSQL: past a
budget the ticket is still opened and its number shown; only the SMS is skipped, and the
outbox says so."""

from __future__ import annotations

import logging
import threading

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.tickets import ActionSubmitTicket
from bot.services import objections
from bot.services.sms import budget as sms_budget
from bot.services.sms import gateway as sms
from bot.services.tickets import records as tickets
from bot.services.verification import otp
from bot.services.verification.validators import luhn_check_digit
from bot.store import session_scope
from bot.store.sms import SmsMessage
from bot.store.tickets import Ticket
from tests.actions.test_ticket_actions import tracker
from tests.unit.test_sms import StandIn

# Every test runs on SQLite and on PostgreSQL (tests/support/postgres.py).
pytestmark = pytest.mark.usefixtures("app_db")

MOBILE = "0551112233"
E164 = "+966551112233"


@pytest.fixture(autouse=True)
def defaults(monkeypatch):
    for key in (
        "SMS_BUDGET_MOBILE_HOUR",
        "SMS_BUDGET_MOBILE_DAY",
        "SMS_BUDGET_NATIONAL_ID_DAY",
        "SMS_BUDGET_GLOBAL_MINUTE",
        "SMS_BUDGET_STAFF_MOBILE_DAY",
    ):
        monkeypatch.delenv(key, raising=False)


def national_id(n: int) -> str:
    body = f"1{n:08d}"
    return body + luhn_check_digit(body)


def outbox(to=E164):
    with session_scope() as s:
        query = select(SmsMessage).order_by(SmsMessage.id)
        if to:
            query = query.where(SmsMessage.to == to)
        return [(m.kind, m.status, m.error) for m in s.execute(query).scalars()]


def submit(i: int, mobile=MOBILE, nid=None):
    return tickets.submit_ticket(
        nid or national_id(i),
        mobile,
        "payment",
        "الدعم نقص هالشهر",
        f"key-{i}-{mobile}",
        conversation_id=f"conv-{i}",
        channel="rest",
    )


def test_defaults_are_the_documented_ones():
    assert sms_budget.Budgets.from_env() == sms_budget.Budgets(3, 10, 5, 60, 6)


def test_a_mobile_gets_three_an_hour_then_tickets_open_without_sms(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.services.sms.budget"):
        outcomes = [submit(i) for i in range(5)]
    assert [o.status for o in outcomes] == ["created"] * 5
    assert [o.sms_sent for o in outcomes] == [True, True, True, False, False]
    assert len({o.ticket.number for o in outcomes}) == 5
    assert (
        outbox()
        == [("ticket", "stored", None)] * 3
        + [("ticket", "skipped_budget", "budget:mobile_hour")] * 2
    )
    # one line per skipped message, naming the budget, with no personal number in it
    lines = [r.getMessage() for r in caplog.records if "not sent: budget" in r.getMessage()]
    assert len(lines) == 2 and all("mobile_hour (3)" in line for line in lines)
    assert MOBILE not in caplog.text and "551112233" not in caplog.text
    assert all(national_id(i) not in caplog.text for i in range(5))
    # another number is not affected
    assert submit(9, mobile="0559998877").sms_sent


def test_the_day_budget(monkeypatch):
    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "0")  # off
    monkeypatch.setenv("SMS_BUDGET_MOBILE_DAY", "2")
    assert [submit(i).sms_sent for i in range(3)] == [True, True, False]
    assert outbox()[-1] == ("ticket", "skipped_budget", "budget:mobile_day")


def test_one_national_id_gets_sms_for_its_first_tickets_only(monkeypatch):
    monkeypatch.setenv("SMS_BUDGET_NATIONAL_ID_DAY", "2")
    nid = national_id(42)
    sent = [submit(i, mobile=f"05500000{i:02d}", nid=nid).sms_sent for i in range(3)]
    assert sent == [True, True, False]
    with session_scope() as s:
        assert len(s.execute(select(Ticket).where(Ticket.national_id == nid)).scalars().all()) == 3
    assert outbox(to=None)[-1] == ("ticket", "skipped_budget", "budget:national_id_day")


def test_the_global_ceiling_per_minute(monkeypatch):
    monkeypatch.setenv("SMS_BUDGET_GLOBAL_MINUTE", "2")
    results = [sms.send(f"05500000{i:02d}", "مرحبا") for i in range(3)]
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].status == "skipped_budget" and results[2].error == "budget:global_minute"


def test_codes_share_the_per_mobile_budget():
    objection = objections.create_objection(national_id(7), MOBILE, "2025-01", amount="100")
    assert submit(1).sms_sent and submit(2).sms_sent
    assert objections.issue_code("conv-9", objection.number, national_id(7)).status == otp.SENT
    blocked = objections.issue_code("conv-10", objection.number, national_id(7))
    assert blocked.status == otp.SMS_FAILED  # "could not send a code now, try later"
    # the code that was not sent cannot be used
    assert objections.verify_code("conv-10", objection.number, "000000").status == otp.NO_CODE
    assert [k for k, status, _ in outbox() if status == "skipped_budget"] == ["otp"]


def test_a_skipped_message_never_reaches_the_provider(monkeypatch):
    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "1")
    with StandIn() as provider:
        monkeypatch.setenv("SMS_GATEWAY_URL", provider.url)
        first, second = (
            sms.send(MOBILE, "رمز التحقق: 482913", kind="otp"),
            sms.send(MOBILE, "ثانية"),
        )
    assert first.ok and not second.ok and second.status == "skipped_budget"
    assert len(provider.requests) == 1
    assert outbox() == [("otp", "sent", None), ("info", "skipped_budget", "budget:mobile_hour")]


def test_skipped_messages_do_not_use_up_the_budget(monkeypatch):
    """Refused messages are recorded, not counted as sent: the budget limits what leaves,
    so a flood of refused requests does not push the next allowance further away."""
    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "1")
    assert sms.send(MOBILE, "1").ok
    for _ in range(3):
        assert not sms.send(MOBILE, "again").ok
    with session_scope() as s:
        count = sms_budget.exceeded(s, SmsMessage, E164, budgets=sms_budget.Budgets(2, 0, 0, 0))
    assert count is None  # 1 sent + 3 skipped < 2 sent


def test_eight_conversations_for_one_mobile_at_once():
    """The attack from eight senders at the same moment: every conversation is told its
    ticket number, and at most the budget of SMS leave (the count holds under concurrency)."""
    results, errors = {}, []

    def converse(i: int):
        try:
            dispatcher = CollectingDispatcher()
            t = tracker(
                "/affirm",
                "affirm",
                sender=f"attacker-{i}",
                slots={
                    "ticket_national_id": national_id(100 + i),
                    "ticket_mobile": MOBILE,
                    "ticket_category": "payment",
                    "ticket_description": "بلاغ مكرر من سكربت",
                    "ticket_confirm": True,
                    "ticket_submission_id": f"sub-{i}",
                },
            )
            ActionSubmitTicket().run(dispatcher, t, {})
            results[i] = dispatcher.messages
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=converse, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    numbers = [msgs[0]["ticket_number"] for msgs in results.values()]
    assert len(results) == 8 and len(set(numbers)) == 8 and all(n and len(n) == 8 for n in numbers)
    replies = [msgs[0]["response"] for msgs in results.values()]
    assert replies.count("utter_ticket_created") == 3
    assert replies.count("utter_ticket_created_no_sms") == 5
    statuses = [status for _, status, _ in outbox()]
    assert statuses.count("stored") == 3 and statuses.count("skipped_budget") == 5


def test_a_message_with_a_stable_id_learns_when_the_budget_lets_it_through(monkeypatch):
    """The oldest message still counted leaves the hour: then there is room for one more.
    A message without the caller's id (a code, a new ticket) gets no such time."""
    from datetime import timedelta

    from sqlalchemy import update

    from bot.store.base import utcnow

    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "2")
    now = utcnow()
    for ago in (50, 10):
        assert sms.send(MOBILE, f"{ago}").ok
        with session_scope() as s:
            s.execute(
                update(SmsMessage)
                .where(SmsMessage.body == f"{ago}")
                .values(created_at=now - timedelta(minutes=ago))
            )
    assert sms.send(MOBILE, "code").retry_at is None
    result = sms.send(MOBILE, "status", kind="info", message_id="n-1")
    assert (result.ok, result.status) == (False, sms_budget.SKIPPED_BUDGET)
    assert abs(result.retry_at - (now + timedelta(minutes=10))) < timedelta(seconds=5)
    with session_scope() as s:  # ten minutes later
        s.execute(
            update(SmsMessage)
            .where(SmsMessage.body == "50")
            .values(created_at=now - timedelta(minutes=61))
        )
    again = sms.send(MOBILE, "status", kind="info", message_id="n-1")
    assert again.ok and again.status == "stored"
    # one row for the message however often it asked: the two earlier, the code, it
    assert outbox().count(("info", "stored", None)) == 3 and len(outbox()) == 4


def test_staff_initiated_messages_have_their_own_budget(monkeypatch):
    """Neither side spends the other's: the citizen's codes leave room for what staff
    did, and an agent clicking through statuses leaves room for the citizen's codes.
    The global ceiling counts both."""
    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "2")
    monkeypatch.setenv("SMS_BUDGET_STAFF_MOBILE_DAY", "2")
    assert sms.send(MOBILE, "code 1", kind="otp").ok
    assert sms.send(MOBILE, "code 2", kind="otp").ok
    assert not sms.send(MOBILE, "code 3", kind="otp").ok
    assert sms.send(MOBILE, "status 1", kind="notification", message_id="s-1").ok
    assert sms.send(MOBILE, "status 2", kind="notification", message_id="s-2").ok
    third = sms.send(MOBILE, "status 3", kind="notification", message_id="s-3")
    assert (third.ok, third.status) == (False, sms_budget.SKIPPED_BUDGET)
    assert third.retry_at is not None  # a day after the first status message
    assert outbox()[-1] == ("notification", "skipped_budget", "budget:staff_mobile_day")
    assert outbox()[2] == ("otp", "skipped_budget", "budget:mobile_hour")

    monkeypatch.setenv("SMS_BUDGET_GLOBAL_MINUTE", "5")  # 4 sent this minute
    assert sms.send("0551112244", "code", kind="otp").ok
    assert not sms.send("0551112255", "code", kind="otp").ok
