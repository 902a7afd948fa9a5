"""Notifications on SQLite and PostgreSQL: written with the status change (one
transaction), one per change, what they say, which channels, opt-out, and the sender's
bookkeeping (claims, backoff, next channel, failed, unconfirmed, resend)."""

import importlib
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import notifications, objections
from bot.services.notifications import optout, outbox
from bot.services.tickets import records as tickets
from bot.store import conversations, engine, session_scope
from bot.store.audit import AuditEntry
from bot.store.base import utcnow
from bot.store.notifications import Notification
from bot.store.tickets import Ticket

ID_A, MOBILE_A = "1023456781", "0551234567"


def _ticket(conversation_id="telegram:4242", channel="telegram"):
    if conversation_id:
        conversations.record_inbound(conversation_id, channel, "4242", "ابي افتح بلاغ")
    ticket, _ = tickets.create_ticket(
        ID_A, MOBILE_A, "payment", "الدفعة ناقصة", f"k-{conversation_id}", conversation_id, channel
    )
    return ticket


def _rows():
    with session_scope() as s:
        return s.execute(select(Notification).order_by(Notification.id)).scalars().all()


def _audit(action):
    with session_scope() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def test_migration_matches_the_models(app_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.base import Base

    importlib.import_module("bot.store.notifications")
    with engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "notification" in repr(d)] == []


def test_a_status_change_writes_one_notification_with_number_status_and_next_step(app_db):
    ticket = _ticket()
    tickets.set_status(ticket.number, "in_progress", note="كلمنا البنك عن حسابك 1023456781")
    tickets.set_status(ticket.number, "in_progress")  # no change: nothing new to say
    [row] = _rows()
    assert (row.subject_type, row.subject_number, row.status) == (
        "ticket",
        ticket.number,
        "in_progress",
    )
    assert row.channels == "telegram,sms" and row.state == "pending"
    assert ticket.number in row.body and "قيد المعالجة" in row.body
    assert "يتواصل معك" in row.body  # what happens next
    # nothing else personal: not the ID, not the mobile, not the staff note
    assert ID_A not in row.body and MOBILE_A[1:] not in row.body and "البنك" not in row.body
    tickets.set_status(ticket.number, "resolved")
    assert [r.status for r in _rows()] == ["in_progress", "resolved"]
    assert len({r.idempotency_key for r in _rows()}) == 2


def test_the_change_and_its_notification_commit_together(app_db, monkeypatch):
    ticket = _ticket()

    def broken(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(notifications, "enqueue_ticket_change", broken)
    with pytest.raises(RuntimeError):
        tickets.set_status(ticket.number, "closed")
    with session_scope() as s:
        assert s.execute(select(Ticket.status)).scalar_one() == "open"  # rolled back
    assert _rows() == []


def test_a_rest_conversation_is_told_by_sms_only(app_db):
    ticket = _ticket("rest-visitor", "rest")
    tickets.set_status(ticket.number, "closed")
    [row] = _rows()
    assert row.channels == "sms" and row.conversation_id is None and row.mobile == MOBILE_A
    assert "19912" in row.body


def test_objection_decision_goes_to_the_verified_conversation_then_sms(app_db):
    staff_only = objections.create_objection(ID_A, MOBILE_A, "2025-01", amount="850")
    objections.update_objection(staff_only.number, status="rejected")
    checked = objections.create_objection(ID_A, MOBILE_A, "2025-02", amount="1234.50")
    conversations.record_inbound("web:sessQ", "web", "sessQ", "حالة اعتراضي")
    issued = objections.issue_code("web:sessQ", checked.number, ID_A)
    from bot.store.sms import SmsMessage

    with session_scope() as s:  # the code, as the citizen reads it in the SMS
        body = s.execute(select(SmsMessage.body).order_by(SmsMessage.id.desc())).scalar()
    code = re.search(r":\s*(\d+)", body).group(1)
    assert issued.ok and objections.verify_code("web:sessQ", checked.number, code).ok
    objections.update_objection(checked.number, status="accepted")
    objections.update_objection(checked.number, decision_note="تمت المراجعة")  # not a status
    first, second = _rows()
    assert (first.channels, first.conversation_id) == ("sms", None)
    assert "مرفوض" in first.body and "تفتح بلاغ" in first.body
    assert (second.channels, second.conversation_id) == ("web,sms", "web:sessQ")
    assert "مقبول" in second.body and "بأثر رجعي" in second.body
    for row in (first, second):  # the amount only after a one-time code, in the chat
        # As a number of its own: the objection's random number may hold "850".
        amounts = re.findall(r"(?<!\d)(?:850|1234(?:\.50)?)(?![\d.])", row.body)
        assert not amounts and "ريال" not in row.body


def test_opted_out_citizens_are_not_notified_and_can_resume(app_db):
    ticket = _ticket()
    assert optout.stop(conversation_id="telegram:4242") is True
    assert optout.stop(conversation_id="telegram:4242") is False
    tickets.set_status(ticket.number, "in_progress")
    assert [(r.state, r.last_error) for r in _rows()] == [("skipped", "opted_out")]
    assert optout.resume(conversation_id="telegram:4242") is True
    tickets.set_status(ticket.number, "resolved")
    assert _rows()[-1].state == "pending"
    # stopping after the change but before the sender runs: still not sent
    optout.stop(mobile=MOBILE_A, source="backoffice:test")
    assert outbox.claim("h1") == []
    assert _rows()[-1].state == "skipped"
    [shown] = optout.list_optouts()
    assert shown["target"] == "mobile:05••••••67" and shown["source"] == "backoffice:test"
    assert _audit("notifications.stopped") and _audit("notifications.resumed")


def test_claims_are_exclusive_and_marks_need_the_lease(app_db):
    ticket = _ticket()
    tickets.set_status(ticket.number, "closed")
    [claim] = outbox.claim("h1")
    assert claim.channel == "telegram" and claim.attempt == 1 and not claim.in_doubt
    assert outbox.claim("h2") == []  # held
    assert outbox.mark_sent(claim, "h2") is False
    assert outbox.mark_sent(claim, "h1", "555") is True
    [row] = _rows()
    assert (row.state, row.sent_channel, row.channel_message_id) == ("sent", "telegram", "555")
    assert outbox.claim("h1") == []


def test_retries_back_off_then_the_next_channel_then_failed(app_db, monkeypatch):
    monkeypatch.setenv("NOTIFY_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("NOTIFY_BACKOFF_SECONDS", "10")
    ticket = _ticket()
    tickets.set_status(ticket.number, "closed")
    now = utcnow()
    [c] = outbox.claim("h", now=now)
    assert outbox.mark_failed(c, "h", "NetworkError") == "pending"
    row = _rows()[0]
    assert timedelta(seconds=7) < row.next_attempt_at - now < timedelta(seconds=13)
    assert outbox.claim("h", now=now) == []  # not before its time
    [c] = outbox.claim("h", now=now + timedelta(seconds=30))
    assert c.attempt == 2
    assert outbox.mark_failed(c, "h", "NetworkError") == "pending"  # next channel
    [c] = outbox.claim("h", now=now + timedelta(seconds=31))
    assert (c.channel, c.attempt) == ("sms", 1)
    assert json.loads(_audit("notification.fallback")[0].detail)["to"] == "sms"
    assert outbox.mark_failed(c, "h", "budget", permanent=True) == "failed"
    assert _rows()[0].state == "failed"
    assert _audit("notification.failed")
    # staff send it again from the first channel
    outbox.resend(_rows()[0].id, actor="backoffice:test")
    [c] = outbox.claim("h")
    assert (c.channel, c.attempt) == ("telegram", 1)
    with pytest.raises(ValueError):
        outbox.resend(c.id)  # not failed now


def test_a_row_whose_sender_died_is_claimed_again_as_in_doubt(app_db):
    ticket = _ticket()
    tickets.set_status(ticket.number, "closed")
    now = utcnow()
    [c] = outbox.claim("dead", now=now, lease=5)
    assert outbox.claim("alive", now=now + timedelta(seconds=4)) == []
    [again] = outbox.claim("alive", now=now + timedelta(seconds=6))
    assert again.in_doubt and again.attempt == c.attempt  # not counted as a new attempt
    assert outbox.mark_unconfirmed(again, "alive")
    assert _rows()[0].state == "unconfirmed"
    assert _audit("notification.unconfirmed")
    assert outbox.claim("alive", now=now + timedelta(days=1)) == []  # never resent by itself


def test_backoffice_lists_notifications_masked(app_db, capsys):
    from bot.backoffice.__main__ import main

    ticket = _ticket()
    assert main(["tickets", "set-status", ticket.number, "in_progress"]) == 0
    assert main(["notifications", "list"]) == 0
    out = capsys.readouterr().out
    assert ticket.number in out and "pending" in out and "telegram→sms" in out
    assert MOBILE_A not in out and "4242" not in out and "05••••••67" in out
    assert main(["notifications", "stop", "--mobile", MOBILE_A]) == 0
    assert main(["notifications", "opt-outs"]) == 0
    assert "05••••••67" in capsys.readouterr().out
    assert main(["notifications", "resend", "999"]) == 1
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(Notification)).scalar_one() == 1
