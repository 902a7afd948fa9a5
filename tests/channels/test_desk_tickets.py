"""Ticket status from the desk over HTTP: who may change which ticket, CSRF, the audit
entry with the agent as actor, the citizen's notification through the outbox, the staff
note that never reaches the citizen; and the list's fixed number of queries."""

from __future__ import annotations

from sqlalchemy import event, select

from bot.services import handoff
from bot.services.notifications import texts
from bot.services.tickets import records as tickets
from bot.store import engine, session_scope
from bot.store.audit import AuditEntry
from bot.store.notifications import Notification
from tests.support.desk import (
    audit_log,
    citizen_writes,
    valid_id,
)


def open_ticket(cid, n=1):
    citizen_writes(cid, "أبي أفتح بلاغ")
    view, _ = tickets.create_ticket(
        valid_id(), "0551234567", "payment", "الدفعة ما نزلت", f"key-{cid}-{n}", cid, "telegram"
    )
    return view.number


def held_by(env, username, cid):
    h = handoff.escalate(cid, "support_stopped")
    c = env.client()
    c.sign_in(username)
    assert c.post(f"/desk/api/handoffs/{h.id}/claim").status_code == 200
    return h, c


def notifications_of(number):
    with session_scope() as s:
        return [
            (n.status, n.body, n.channels)
            for n in s.execute(
                select(Notification).where(Notification.subject_number == number)
            ).scalars()
        ]


def test_the_holder_changes_the_status_and_the_citizen_is_notified(env):
    cid = "telegram:7001"
    number = open_ticket(cid)
    h, sara = held_by(env, "sara", cid)
    d = sara.get(f"/desk/api/handoffs/{h.id}").json()
    assert [t["number"] for t in d["tickets"]] == [number]
    assert d["tickets"][0]["status_label"] == "مفتوح" and d["tickets"][0]["can_change"]
    assert d["tickets"][0]["created_at"].endswith("+00:00")
    assert "national_id" not in d["tickets"][0] and "mobile" not in d["tickets"][0]
    assert "ticket_statuses" in sara.get("/desk/api/me").json()

    r = sara.post(
        f"/desk/api/tickets/{number}/status",
        {"status": "in_progress", "note": "راجعت الدفعة مع المالية، هويته 1012345678"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["citizen_notified"] and body["ticket"]["status_label"] == "قيد المعالجة"
    last = body["ticket"]["history"][-1]
    assert last["actor_name"] == "سارة" and last["to_label"] == "قيد المعالجة"
    assert "المالية" in last["staff_note"] and "1012345678" not in last["staff_note"]

    assert tickets.get_ticket(number).status == "in_progress"
    assert tickets.get_ticket(number).status_note is None  # the staff note is not the citizen's
    assert ("agent:sara", "ticket.status_changed", number) in audit_log("ticket.")
    [(status, text, channels)] = notifications_of(number)
    assert status == "in_progress" and text == texts.ticket_text(number, "in_progress")
    assert "المالية" not in text and channels == "telegram,sms"

    # The same status without a note changes nothing; with a note it is recorded, silently.
    assert (
        sara.post(f"/desk/api/tickets/{number}/status", {"status": "in_progress"}).status_code
        == 400
    )
    r = sara.post(f"/desk/api/tickets/{number}/status", {"status": "in_progress", "note": "اتصلت"})
    assert r.status_code == 200 and not r.json()["citizen_notified"]
    assert len(notifications_of(number)) == 1
    # After the conversation ends, its last holder still may (it was theirs).
    assert sara.post(f"/desk/api/handoffs/{h.id}/close").status_code == 200
    assert (
        sara.post(f"/desk/api/tickets/{number}/status", {"status": "resolved"}).status_code == 200
    )
    assert sara.get(f"/desk/api/tickets/{number}").json()["ticket"]["status"] == "resolved"


def test_an_agent_cannot_change_a_ticket_of_another_conversation(env):
    mine, theirs = "telegram:7002", "telegram:7003"
    open_ticket(mine)
    other = open_ticket(theirs)
    h_other, omar = held_by(env, "omar", theirs)
    h, sara = held_by(env, "sara", mine)
    before = audit_log("ticket.status")
    for path in (f"/desk/api/tickets/{other}/status",):
        r = sara.post(path, {"status": "closed", "note": "x"})
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert sara.get(f"/desk/api/tickets/{other}").status_code == 404
    # an unknown number answers alike (no probing), a malformed one is a clear 400
    assert (
        sara.get("/desk/api/tickets/12345678").json()["message"]
        == (sara.get(f"/desk/api/tickets/{other}").json()["message"])
    )
    assert sara.post("/desk/api/tickets/abc/status", {"status": "closed"}).status_code == 400
    # viewing the colleague's conversation shows the ticket, without the right to change it
    d = sara.get(f"/desk/api/handoffs/{h_other.id}").json()
    assert d["tickets"][0]["number"] == other and not d["tickets"][0]["can_change"]
    assert tickets.get_ticket(other).status == "open"
    assert audit_log("ticket.status") == before and notifications_of(other) == []
    # released back to the queue: the right goes with the conversation
    assert omar.post(f"/desk/api/handoffs/{h_other.id}/release").status_code == 200
    assert omar.post(f"/desk/api/tickets/{other}/status", {"status": "closed"}).status_code == 404


def test_a_transfer_hands_the_right_on_with_the_conversation(env):
    cid = "telegram:7006"
    number = open_ticket(cid)
    h, sara = held_by(env, "sara", cid)
    assert sara.post(f"/desk/api/handoffs/{h.id}/transfer", {"to": "omar"}).status_code == 200
    omar = env.client()
    omar.sign_in("omar")
    path = f"/desk/api/tickets/{number}/status"
    assert sara.post(path, {"status": "closed"}).status_code == 404
    assert omar.post(path, {"status": "closed"}).status_code == 200
    assert ("agent:omar", "ticket.status_changed", number) in audit_log("ticket.")


def test_a_supervisor_changes_any_ticket_by_number(env):
    from bot.services.desk import accounts as desk_auth

    number = open_ticket("telegram:7004")
    desk_auth.set_supervisor("omar", True)
    omar = env.client()
    omar.sign_in("omar")
    assert omar.get(f"/desk/api/tickets/{number}").json()["ticket"]["can_change"]
    r = omar.post(f"/desk/api/tickets/{number}/status", {"status": "closed"})
    assert r.status_code == 200, r.text
    assert ("agent:omar", "ticket.status_changed", number) in audit_log("ticket.")
    assert notifications_of(number)[0][1] == texts.ticket_text(number, "closed")
    assert omar.post(f"/desk/api/tickets/{number}/status", {"status": "lost"}).status_code == 400


def test_a_status_change_needs_the_csrf_token_and_the_same_origin(env):
    cid = "telegram:7005"
    number = open_ticket(cid)
    _h, sara = held_by(env, "sara", cid)
    path = f"/desk/api/tickets/{number}/status"
    assert sara.post(path, {"status": "closed"}, csrf=False).status_code == 403
    assert (
        sara.post(path, {"status": "closed"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    )
    evil = env.client(origin="http://evil.test")
    evil.http.cookies = sara.http.cookies
    evil.csrf = sara.csrf
    assert evil.post(path, {"status": "closed"}).status_code == 403
    assert tickets.get_ticket(number).status == "open"
    with session_scope() as s:
        assert not s.execute(
            select(AuditEntry).where(AuditEntry.action == "ticket.status_changed")
        ).first()
    assert notifications_of(number) == []


# ---------------------------------------------------------------- the list's queries


def _queue_queries(client):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine(), "before_cursor_execute", count)
    try:
        r = client.get("/desk/api/queue?filter=all")
    finally:
        event.remove(engine(), "before_cursor_execute", count)
    assert r.status_code == 200
    return len(r.json()["items"]), len(statements)


def _episodes(env, start, n):
    """Of every kind the list shows: queued, held, ended; WhatsApp and Telegram; with
    labels and messages."""
    for i in range(start, start + n):
        cid = f"whatsapp:9665000{i:05d}" if i % 2 else f"telegram:{8000 + i}"
        citizen_writes(cid, f"رسالة {i}")
        h = handoff.escalate(cid, "support_stopped")
        handoff.add_label(h.id, "sara", "الدفعات")
        if i % 3 == 1:
            handoff.claim(h.id, "sara")
        elif i % 3 == 2:
            handoff.close(h.id, "sara")


def test_the_list_runs_a_fixed_number_of_queries(env):
    c = env.client()
    c.sign_in("sara")
    _episodes(env, 0, 1)
    one = _queue_queries(c)
    _episodes(env, 1, 49)
    fifty = _queue_queries(c)
    assert one[0] == 1 and fifty[0] == 50
    assert fifty[1] == one[1], (one, fifty)
    assert one[1] <= 12
