"""The desk's working-day features over HTTP (no browser): history, search and filters,
previews, internal notes that never reach the citizen, labels, transfer, typing notices,
the widget told of every change of holder, and the live event stream."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations
from tests.support.desk import (
    audit_log,
    citizen_writes,
)


def claimed(env, cid="telegram:5151", text="الدعم وقف عني"):
    citizen_writes(cid, text)
    h = handoff.escalate(cid, "support_stopped", snapshot={"national_id": "1012345678"})
    sara = env.client()
    sara.sign_in("sara")
    assert sara.post(f"/desk/api/handoffs/{h.id}/claim").status_code == 200
    return h, sara


def ids(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return [i["id"] for i in client.get(f"/desk/api/queue?{query}").json()["items"]]


def test_notes_stay_on_the_desk_and_are_masked(env):
    h, sara = claimed(env)
    r = sara.post(f"/desk/api/handoffs/{h.id}/note", {"text": "هويته 1012345678 وراجعت ملفه"})
    assert r.status_code == 200
    sent_before = list(env.outbound.sent)
    d = sara.get(f"/desk/api/handoffs/{h.id}").json()
    assert [n["author_name"] for n in d["notes"]] == ["سارة"]
    assert "1012345678" not in d["notes"][0]["text"] and "راجعت ملفه" in d["notes"][0]["text"]
    # never sent, never in the transcript the widget and the history read
    assert env.outbound.sent == sent_before
    assert all("راجعت ملفه" not in m["text"] for m in conversations.transcript(h.conversation_id))
    assert all("راجعت ملفه" not in m["text"] for m in d["messages"])
    # any agent may note, also on a colleague's conversation; empty and huge notes are refused
    omar = env.client()
    omar.sign_in("omar")
    assert omar.post(f"/desk/api/handoffs/{h.id}/note", {"text": "تمام"}).status_code == 200
    assert omar.post(f"/desk/api/handoffs/{h.id}/note", {"text": "  "}).status_code == 400
    assert omar.post(f"/desk/api/handoffs/{h.id}/note", {"text": "x" * 1001}).status_code == 400
    assert ("agent:sara", "handoff.note_added", str(h.id)) in audit_log("handoff.note")


def test_transfer_hands_the_conversation_to_a_colleague_and_tells_the_citizen(env):
    h, sara = claimed(env, "web:s-transfer")
    r = sara.post(f"/desk/api/handoffs/{h.id}/transfer", {"to": "omar"})
    assert r.status_code == 200 and r.json()["to_name"] == "عمر"
    assert handoff.get(h.id).claimed_by == "omar" and handoff.state_of(h.conversation_id) == "agent"
    assert env.outbound.sent[-1] == (h.conversation_id, "system", handoff.transfer_message("عمر"))
    assert (h.conversation_id, "handoff") in env.outbound.notices
    # only the holder transfers, only to an active colleague
    assert sara.post(f"/desk/api/handoffs/{h.id}/transfer", {"to": "sara"}).status_code == 400
    assert sara.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "x"}).status_code == 409
    omar = env.client()
    omar.sign_in("omar")
    assert omar.post(f"/desk/api/handoffs/{h.id}/transfer", {"to": "nobody"}).status_code == 400
    desk_auth.set_active("sara", False)
    assert omar.post(f"/desk/api/handoffs/{h.id}/transfer", {"to": "sara"}).status_code == 400
    assert omar.get(f"/desk/api/handoffs/{h.id}").json()["can_reply"] is True
    assert [a["username"] for a in omar.get("/desk/api/agents").json()["agents"]] == []
    assert ("agent:sara", "handoff.transferred", str(h.id)) in audit_log("handoff.transferred")


def test_every_change_of_holder_reaches_the_widget(env):
    h, sara = claimed(env, "web:s-holder")
    for action in ("release", "claim", "return"):
        env.outbound.notices.clear()
        assert sara.post(f"/desk/api/handoffs/{h.id}/{action}").status_code == 200
        if action != "claim":
            assert env.outbound.notices == [(h.conversation_id, "handoff")], action
    h2 = handoff.escalate("web:s-holder", "requested")
    assert sara.post(f"/desk/api/handoffs/{h2.id}/claim").status_code == 200
    env.outbound.notices.clear()
    assert sara.post(f"/desk/api/handoffs/{h2.id}/close").status_code == 200
    assert env.outbound.notices == [(h2.conversation_id, "handoff")]


def test_typing_reaches_the_citizen_only_from_the_holder(env):
    h, sara = claimed(env, "web:s-typing")
    r = sara.post(f"/desk/api/handoffs/{h.id}/typing", {"on": True})
    assert r.status_code == 200
    assert env.outbound.notices[-1] == (h.conversation_id, "typing", "سارة", True)
    sara.post(f"/desk/api/handoffs/{h.id}/typing", {"on": False})
    assert env.outbound.notices[-1] == (h.conversation_id, "typing", "سارة", False)
    omar = env.client()
    omar.sign_in("omar")
    assert omar.post(f"/desk/api/handoffs/{h.id}/typing", {"on": True}).status_code == 409


def test_labels(env):
    h, sara = claimed(env)
    r = sara.post(f"/desk/api/handoffs/{h.id}/label", {"label": "  الدفعات  "})
    assert r.json()["labels"] == ["الدفعات"]
    assert sara.post(f"/desk/api/handoffs/{h.id}/label", {"label": "الدفعات"}).status_code == 200
    assert sara.post(f"/desk/api/handoffs/{h.id}/label", {"label": ""}).status_code == 400
    item = sara.get("/desk/api/queue").json()["items"][0]
    assert item["labels"] == ["الدفعات"]
    r = sara.post(f"/desk/api/handoffs/{h.id}/unlabel", {"label": "الدفعات"})
    assert r.json()["labels"] == []


def test_history_search_and_filters(env):
    a, sara = claimed(env, "telegram:1001", "وين الدفعة؟")
    b = handoff.escalate("whatsapp:966500001234", "fallback")
    c = handoff.escalate("web:s-c", "requested", snapshot={"ticket_national_id": "1012345678"})
    sara.post(f"/desk/api/handoffs/{a.id}/label", {"label": "الدفعات"})
    handoff.record_ticket(a.id, "sara", "TK-12345")
    assert sara.post(f"/desk/api/handoffs/{a.id}/close").status_code == 200
    omar = env.client()
    omar.sign_in("omar")
    assert omar.post(f"/desk/api/handoffs/{c.id}/claim").status_code == 200

    # The default list is the open conversations; the others reach into history.
    assert ids(sara) == [b.id, c.id]
    assert ids(sara, filter="waiting") == [b.id]
    assert ids(sara, filter="closed") == [a.id]
    assert ids(sara, filter="mine") == [a.id]
    assert ids(omar, filter="mine") == [c.id]
    assert set(ids(sara, filter="all")) == {a.id, b.id, c.id}
    # Search: number, ticket, label, masked ID as shown, WhatsApp's last digits.
    assert ids(sara, filter="all", q=f"%23{a.id}") == [a.id]
    assert ids(sara, filter="all", q="TK-123") == [a.id]
    assert ids(sara, filter="all", q="الدفعات") == [a.id]
    assert set(ids(sara, filter="all", q="1•••••••78")) == {a.id, c.id}  # same citizen
    assert ids(sara, filter="all", q="01234") == [b.id]
    assert ids(sara, filter="all", q="%25") == []  # LIKE wildcards are plain text
    assert ids(sara, filter="all", channel="whatsapp") == [b.id]
    assert ids(sara, filter="all", agent="omar") == [c.id]
    today = handoff.get(a.id).queued_at.astimezone(ZoneInfo("Asia/Riyadh")).date().isoformat()
    assert set(ids(sara, filter="all", **{"from": today})) == {a.id, b.id, c.id}
    assert ids(sara, filter="all", to="2000-01-01") == []

    body = sara.get("/desk/api/queue?filter=closed").json()
    item = body["items"][0]
    assert item["state"] == "closed" and item["ended_by_name"] == "سارة" and not item["unread"]
    # the citizen's words, not the bot's or the desk's closing message after them
    assert item["preview"] == {
        "author": "citizen",
        "author_label": "المواطن",
        "text": "وين الدفعة؟",
    }
    assert item["ticket_ref"] == "TK-12345"
    assert body["waiting"] == [b.id]
    # the holder is said in Arabic: "معك" for the agent herself
    mine = next(i for i in omar.get("/desk/api/queue").json()["items"] if i["id"] == c.id)
    assert mine["holder_label"] == "معك"
    theirs = next(i for i in sara.get("/desk/api/queue").json()["items"] if i["id"] == c.id)
    assert theirs["holder_label"] == "مع عمر"


def test_internal_names_are_shown_in_arabic(env):
    h = handoff.escalate("telegram:7", "requested", detail="form:eligibility_form")
    sara = env.client()
    sara.sign_in("sara")
    assert sara.get(f"/desk/api/handoffs/{h.id}").json()["reason_detail"] == (
        "أثناء التحقق المبدئي من الأهلية"
    )
    h2 = handoff.escalate("telegram:8", "support_stopped", detail="faq:unknown_key")
    detail = sara.get(f"/desk/api/handoffs/{h2.id}").json()["reason_detail"]
    assert "faq" not in detail and detail.startswith("بعد إجابة")


def test_changes_reach_every_open_desk_stream(env):
    """The stream itself runs in the browser tests (a real server); here its hub: each open
    stream gets a notice for an escalation and a citizen's message, nothing personal."""
    from channels.desk.live import hub

    sara = env.client()
    sara.sign_in("sara")
    assert env.client().get("/desk/api/events").status_code == 401

    async def two_streams():
        hub.start(asyncio.get_running_loop())
        first, second = hub.open(), hub.open()
        try:
            await asyncio.to_thread(handoff.escalate, "telegram:99", "requested")
            await handoff.notify_citizen_message("telegram:99", "وينكم")
            got = []
            for q in (first, second):
                got.append([(await asyncio.wait_for(q.get(), 5)) for _ in range(2)])
            return got
        finally:
            hub.close(first)
            hub.close(second)
            hub.stop()

    got = sara.run(two_streams())
    assert got[0] == got[1]
    assert [e["kind"] for e in got[0]] == ["escalated", "message"]
    assert all(set(e) == {"kind", "handoff"} for e in got[0])


def test_the_queue_previews_the_citizens_words_and_numbers_read_left_to_right(env):
    cid = "telegram:6262"
    citizen_writes(cid, "وين الدعم؟ هويتي 1012345678")
    h = handoff.escalate(cid, "requested")
    conversations.record_outbound(cid, "وصلنا طلبك، ساعات العمل من الأحد إلى الخميس.")
    sara = env.client()
    sara.sign_in("sara")
    item = next(i for i in sara.get("/desk/api/queue").json()["items"] if i["id"] == h.id)
    assert item["preview"]["author"] == "citizen"
    # a masked number is isolated left to right, or "10••••••78" shows as "78••••••10"
    assert item["preview"]["text"] == "وين الدعم؟ هويتي \u206610••••••78\u2069"
    sara.post(f"/desk/api/handoffs/{h.id}/note", {"text": "هويته 1012345678 صحيحة"})
    (note,) = sara.get(f"/desk/api/handoffs/{h.id}").json()["notes"]
    assert note["text"] == "هويته \u206610••••••78\u2069 صحيحة"


def test_the_transfer_list_tells_colleagues_apart_and_who_is_online(env):
    desk_auth.create_agent("sara2", "correct horse battery", "سارة")
    sara = env.client()
    sara.sign_in("sara")
    listed = {a["username"]: a for a in sara.get("/desk/api/agents").json()["agents"]}
    assert set(listed) == {"omar", "sara2"}
    assert listed["sara2"]["display_name"] == "سارة"  # the same name: the username tells
    assert listed["omar"]["online"] is False and listed["omar"]["last_seen_at"] is None
    omar = env.client()
    omar.sign_in("omar")
    listed = {a["username"]: a for a in sara.get("/desk/api/agents").json()["agents"]}
    assert listed["omar"]["online"] is True and listed["omar"]["last_seen_at"]
    assert listed["sara2"]["online"] is False
    # Five quiet minutes later he is no longer online; when he was last seen stays.
    from datetime import timedelta

    from bot.store.base import utcnow

    later = desk_auth.presence(utcnow() + timedelta(minutes=5))["omar"]
    assert later["online"] is False and later["last_seen_at"] is not None


def test_a_riyadh_day_starts_at_riyadh_midnight_whatever_the_hour_in_utc(env):
    from datetime import datetime, timezone

    from sqlalchemy import update

    from bot.store import session_scope
    from bot.store.handoffs import Handoff
    from channels.desk import views

    late = handoff.escalate("whatsapp:966500004321", "fallback")
    # Five minutes past midnight in Riyadh is 21:05 UTC the evening before.
    at = datetime(2026, 12, 7, 21, 5, tzinfo=timezone.utc)
    with session_scope() as session:
        session.execute(update(Handoff).where(Handoff.id == late.id).values(queued_at=at))
    dec8, dec7 = views.riyadh_day("2026-12-08"), views.riyadh_day("2026-12-07")
    assert [h.id for h in handoff.history("sara", "all", since=dec8)] == [late.id]
    assert handoff.history("sara", "all", until=views.riyadh_day("2026-12-07", next_day=True)) == []
    assert [h.id for h in handoff.history("sara", "all", since=dec7, until=dec8)] == []
