"""Handoff state machine, atomic claim, citizen-facing messages and the handoff action.

Runs against a throwaway SQLite file migrated with Alembic (the real schema); the
concurrency tests run on SQLite and on PostgreSQL (tests/support/postgres.py).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.services import handoff
from bot.store import reset_engine, session_scope
from bot.store.audit import AuditEntry

RIYADH_10AM = datetime(2024, 5, 5, 7, 0, tzinfo=timezone.utc)  # 10:00 in Riyadh (UTC+3)
RIYADH_11PM = datetime(2024, 5, 5, 20, 0, tzinfo=timezone.utc)  # 23:00 in Riyadh


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):
    """A throwaway SQLite file migrated with Alembic (the real schema)."""

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("HANDOFF_HOURS", raising=False)
    monkeypatch.delenv("HANDOFF_MINUTES_PER_CASE", raising=False)
    reset_engine()
    yield
    reset_engine()


def audit_actions(subject_id=None):
    with session_scope() as s:
        q = select(AuditEntry).where(AuditEntry.subject_type == "handoff").order_by(AuditEntry.id)
        if subject_id is not None:
            q = q.where(AuditEntry.subject_id == str(subject_id))
        return [(e.actor, e.action) for e in s.execute(q).scalars()]


# ---------------------------------------------------------------- state machine


def test_a_conversation_without_handoff_belongs_to_the_bot(db):
    assert handoff.state_of("telegram:1") == "bot"


def test_escalate_queues_once_and_is_idempotent(db):
    first = handoff.escalate("telegram:1", "requested")
    again = handoff.escalate("telegram:1", "fallback")
    assert first.created and not again.created
    assert again.id == first.id and again.reason == "requested"
    assert handoff.state_of("telegram:1") == "queued"
    assert first.channel == "telegram" and first.position == 1
    assert audit_actions(first.id) == [("bot", "handoff.escalated")]


def test_full_cycle_bot_queued_agent_bot(db):
    h = handoff.escalate("web:abc", "requested")
    assert handoff.claim(h.id, "sara")
    assert handoff.state_of("web:abc") == "agent"
    assert handoff.get(h.id).claimed_by == "sara"
    assert handoff.authorise_reply(h.id, "sara", chars=12)
    assert handoff.return_to_bot(h.id, "sara")
    assert handoff.state_of("web:abc") == "bot"
    assert handoff.get(h.id).state == "bot" and handoff.get(h.id).ended_by == "sara"
    assert audit_actions(h.id) == [
        ("bot", "handoff.escalated"),
        ("agent:sara", "handoff.claimed"),
        ("agent:sara", "handoff.replied"),
        ("agent:sara", "handoff.returned_to_bot"),
    ]


def test_closed_episode_lets_the_next_message_reach_the_bot_and_a_new_escalation_opens(db):
    h = handoff.escalate("web:abc", "requested")
    assert handoff.claim(h.id, "sara") and handoff.close(h.id, "sara")
    assert handoff.get(h.id).state == "closed"
    assert handoff.state_of("web:abc") == "bot"
    again = handoff.escalate("web:abc", "support_stopped")
    assert again.created and again.id != h.id and handoff.state_of("web:abc") == "queued"


def test_only_the_claiming_agent_may_reply_return_close_or_release(db):
    h = handoff.escalate("telegram:7", "requested")
    assert handoff.claim(h.id, "sara")
    assert not handoff.claim(h.id, "omar")
    assert not handoff.authorise_reply(h.id, "omar", chars=3)
    assert not handoff.return_to_bot(h.id, "omar")
    assert not handoff.close(h.id, "omar")
    assert not handoff.release(h.id, "omar")
    assert handoff.state_of("telegram:7") == "agent"
    assert handoff.release(h.id, "sara")
    assert handoff.state_of("telegram:7") == "queued"
    assert handoff.claim(h.id, "omar")
    assert handoff.get(h.id).claimed_by == "omar"


def test_no_reply_before_claim_and_none_after_the_end(db):
    h = handoff.escalate("telegram:8", "requested")
    assert not handoff.authorise_reply(h.id, "sara", chars=3)  # still queued
    assert handoff.claim(h.id, "sara") and handoff.return_to_bot(h.id, "sara")
    assert not handoff.authorise_reply(h.id, "sara", chars=3)  # back with the bot
    assert not handoff.claim(h.id, "sara")  # ended episodes stay ended
    assert not handoff.close(h.id, "sara")


def test_any_agent_may_close_or_return_a_conversation_still_in_the_queue(db):
    a = handoff.escalate("telegram:1", "requested")
    b = handoff.escalate("telegram:2", "requested")
    assert handoff.close(a.id, "omar") and handoff.return_to_bot(b.id, "sara")
    assert handoff.state_of("telegram:1") == handoff.state_of("telegram:2") == "bot"


def test_queue_order_and_positions(db):
    t0 = datetime(2024, 5, 5, 7, 0, tzinfo=timezone.utc)
    a = handoff.escalate("telegram:1", "requested", now=t0)
    b = handoff.escalate("whatsapp:966500000001", "fallback", now=t0 + timedelta(minutes=1))
    c = handoff.escalate("web:x", "form_failed", now=t0 + timedelta(minutes=2))
    assert [v.position for v in handoff.queue()] == [1, 2, 3]
    handoff.claim(a.id, "sara")
    views = handoff.queue()
    assert [(v.id, v.state, v.position) for v in views] == [
        (a.id, "agent", None),
        (b.id, "queued", 1),
        (c.id, "queued", 2),
    ]
    assert handoff.get(c.id).position == 2
    assert views[1].waiting_seconds(t0 + timedelta(minutes=11)) == 600


def test_citizen_message_hook_stamps_only_open_episodes(db):
    import asyncio

    assert asyncio.run(handoff.notify_citizen_message("telegram:1", "hello", 5)) is None
    assert not handoff.stamp_citizen_message("telegram:1")
    h = handoff.escalate("telegram:1", "requested")
    asyncio.run(handoff.notify_citizen_message("telegram:1", "hello", 6))
    assert handoff.get(h.id).last_citizen_at is not None
    when = datetime(2024, 5, 5, 7, 5, tzinfo=timezone.utc)
    assert handoff.stamp_citizen_message("telegram:1", now=when)
    assert handoff.get(h.id).last_citizen_at == when


def test_snapshot_is_stored_masked(db):
    h = handoff.escalate(
        "whatsapp:966512345678",
        "requested",
        snapshot={
            "national_id": "1012345678",
            "mobile": "0551234567",
            "iban": "SA0380000000608010167519",
            "ticket_number": "SM-2024-0042",
            "income": 4500,
            "married": True,
            "requested_slot": "mobile",
            "notes": "رقمي 0551234567",
            "empty": None,
            "objection_otp": "482913",
        },
    )
    snap = handoff.get(h.id).snapshot
    dumped = json.dumps(snap, ensure_ascii=False)
    for secret in ("1012345678", "0551234567", "SA0380000000608010167519"):
        assert secret not in dumped
    assert snap["national_id"].startswith("1") and snap["national_id"].endswith("78")
    assert snap["ticket_number"] == "SM-2024-0042" and snap["income"] == "4500"
    assert snap["married"] is True
    assert "requested_slot" not in snap and "empty" not in snap
    assert "objection_otp" not in snap and "482913" not in dumped  # secrets are dropped
    with session_scope() as s:
        details = " ".join(e.detail or "" for e in s.execute(select(AuditEntry)).scalars())
    assert "966512345678" not in details


def test_unknown_reason_is_kept_as_a_case_for_a_person(db):
    assert handoff.escalate("web:z", "whatever").reason == "case_for_person"


# ---------------------------------------------------------------- atomic claim


def test_claim_is_atomic_when_agents_race(app_db):
    """Eight agents click "claim" at the same moment: exactly one wins, every time."""
    for round_ in range(5):
        h = handoff.escalate(f"telegram:race{round_}", "requested")
        barrier = threading.Barrier(8)
        wins, errors = [], []

        def click(agent):
            try:
                barrier.wait()
                if handoff.claim(h.id, agent):
                    wins.append(agent)
            except Exception as exc:  # pragma: no cover - a lock error is a failure
                errors.append(exc)

        threads = [threading.Thread(target=click, args=(f"agent{i}",)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors
        assert len(wins) == 1
        view = handoff.get(h.id)
        assert view.state == "agent" and view.claimed_by == wins[0]
        assert [a for a in audit_actions(h.id) if a[1] == "handoff.claimed"] == [
            (f"agent:{wins[0]}", "handoff.claimed")
        ]


def test_concurrent_escalations_open_a_single_episode(app_db):
    barrier = threading.Barrier(6)
    results, errors = [], []

    def escalate():
        try:
            barrier.wait()
            results.append(handoff.escalate("web:dup", "fallback"))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=escalate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len({r.id for r in results}) == 1
    assert sum(r.created for r in results) == 1


# ---------------------------------------------------------------- what the citizen is told


def test_working_hours_follow_riyadh_time(monkeypatch):
    assert handoff.in_working_hours(RIYADH_10AM)
    assert not handoff.in_working_hours(RIYADH_11PM)
    assert handoff.in_working_hours(datetime(2024, 5, 5, 5, 0, tzinfo=timezone.utc))  # 08:00
    assert not handoff.in_working_hours(datetime(2024, 5, 5, 17, 0, tzinfo=timezone.utc))  # 20:00
    monkeypatch.setenv("HANDOFF_HOURS", "0-24")
    assert handoff.in_working_hours(RIYADH_11PM)


def test_in_hours_message_promises_an_agent_and_a_wait(db):
    view = handoff.escalate("telegram:1", "requested", now=RIYADH_10AM)
    message = handoff.escalation_message(view, now=RIYADH_10AM)
    assert "موظف" in message["text"] and "الانتظار المتوقع" in message["text"]
    assert "أقل من 5 دقائق" in message["text"]
    assert (
        "مستعجل" in message["text"] and "19912" in message["text"]
    )  # an alternative, not the main path


def test_wait_grows_with_the_queue(db):
    for i in range(5):
        handoff.escalate(f"telegram:{i}", "requested", now=RIYADH_10AM)
    view = handoff.escalate("telegram:last", "requested", now=RIYADH_10AM)
    assert view.position == 6
    text = handoff.escalation_message(view, now=RIYADH_10AM)["text"]
    assert "حوالي 25 دقيقة" in text  # 4 min + 5 ahead x 4 min = 24 -> ~25


def test_recent_waits_drive_the_estimate(db):
    for i in range(3):
        h = handoff.escalate(f"telegram:w{i}", "requested", now=RIYADH_10AM - timedelta(minutes=60))
        handoff.claim(h.id, "sara", now=RIYADH_10AM - timedelta(minutes=30))  # waited 30 min
    assert handoff.estimated_wait_minutes(1, now=RIYADH_10AM) == 30


def test_out_of_hours_message_offers_the_ticket_and_the_unified_number(db):
    view = handoff.escalate("telegram:1", "requested", now=RIYADH_11PM)
    text = handoff.escalation_message(view, now=RIYADH_11PM)["text"]
    assert "خارج وقت الدوام" in text and "صوتك مسموع" in text and "19912" in text
    assert "قائمة الانتظار" in text
    assert handoff.state_of("telegram:1") == "queued"  # still waits for the morning


def test_reason_prefix_for_a_stopped_support_complaint(db):
    view = handoff.escalate("telegram:1", "support_stopped", now=RIYADH_10AM)
    assert "توقف الدعم" in handoff.escalation_message(view, now=RIYADH_10AM)["text"]


def test_wait_phrases():
    assert handoff.wait_phrase(3) == "أقل من 5 دقائق"
    assert handoff.wait_phrase(7) == "حوالي 10 دقائق"
    assert handoff.wait_phrase(12) == "حوالي 15 دقيقة"
    assert handoff.wait_phrase(58) == "حوالي ساعة"
    assert handoff.wait_phrase(61) == "أكثر من ساعة"


# ---------------------------------------------------------------- the Rasa action


def _tracker(events, slots=None, active_loop=None, sender="telegram:42"):
    from rasa_sdk import Tracker

    latest = events[-1]["parse_data"] if events and events[-1]["event"] == "user" else {}
    return Tracker(
        sender, slots or {}, latest, events, False, None, active_loop or {}, "action_listen"
    )


def _user(intent, entities=None, faq_key=None):
    parse = {"intent": {"name": intent}, "entities": entities or []}
    if faq_key:
        parse["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{faq_key}"}}
        }
    return {"event": "user", "text": "x", "parse_data": parse}


def _run_action(tracker):
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.handoff import ActionHandoff

    dispatcher = CollectingDispatcher()
    events = ActionHandoff().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_action_queues_with_a_masked_snapshot_and_says_what_happens_next(db):
    tracker = _tracker(
        [_user("greet"), _user("human_handoff")],
        slots={"national_id": "1098765432", "ticket_number": "SM-7", "requested_slot": None},
    )
    messages, events = _run_action(tracker)
    view = handoff.open_for("telegram:42")
    assert view.state == "queued" and view.reason == "requested" and view.channel == "telegram"
    assert view.snapshot == {"national_id": "1•••••••32", "ticket_number": "SM-7"}
    assert len(messages) == 1
    assert "موظف" in messages[0]["text"]
    assert messages[0]["buttons"] == [handoff.LEAVE_BUTTON]  # the way out of the queue only
    assert {"event": "slot", "name": "handoff_reason", "value": None, "timestamp": None} in events


def test_action_names_the_reason_a_button_gave_and_stops_the_form(db):
    tracker = _tracker(
        [
            _user("inform"),
            _user("human_handoff", [{"entity": "handoff_reason", "value": "form_failed"}]),
        ],
        slots={"handoff_reason": "form_failed", "requested_slot": "national_id"},
        active_loop={"name": "eligibility_form"},
    )
    _, events = _run_action(tracker)
    view = handoff.open_for("telegram:42")
    assert view.reason == "form_failed" and view.reason_detail == "eligibility_form"
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)


def test_action_after_two_fallbacks_says_fallback(db):
    _run_action(_tracker([_user("nlu_fallback"), _user("nlu_fallback"), _user("human_handoff")]))
    assert handoff.open_for("telegram:42").reason == "fallback"


def test_action_after_the_support_dropped_answer_marks_a_stopped_support_case(db):
    messages, _ = _run_action(
        _tracker([_user("faq", faq_key="support_dropped"), _user("human_handoff")])
    )
    view = handoff.open_for("telegram:42")
    assert view.reason == "support_stopped"
    assert "توقف الدعم" in messages[0]["text"]


def test_action_asked_twice_does_not_queue_twice(db):
    _run_action(_tracker([_user("human_handoff")]))
    messages, _ = _run_action(_tracker([_user("human_handoff")]))
    assert len(handoff.queue()) == 1 and messages


def test_action_tells_the_citizen_another_way_when_the_database_fails(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(handoff, "escalate", broken)
    messages, _ = _run_action(_tracker([_user("human_handoff")]))
    assert "19912" in messages[0]["text"] and "صوتك مسموع" in messages[0]["text"]


def test_migration_matches_the_models(app_db):
    """The Alembic revision creates what bot/store/handoffs.py declares (SQLite and PostgreSQL)."""
    from sqlalchemy import create_engine, inspect

    from bot.store.handoffs import Agent, AgentSession, Handoff

    engine = create_engine(app_db, future=True)
    try:
        found = inspect(engine)
        for model in (Handoff, Agent, AgentSession):
            table = model.__table__
            assert {c["name"] for c in found.get_columns(table.name)} == set(table.columns.keys())
            assert {i["name"] for i in found.get_indexes(table.name)} >= {
                i.name for i in table.indexes
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "text", ["إلغاء", "الغاء", "رجعني للمساعد", "ما ابي موظف", "cancel", "/cancel", "إلغاء!"]
)
def test_leave_phrases_are_recognised(text):
    assert handoff.wants_to_leave_queue(text)


@pytest.mark.parametrize(
    "text", ["ابي الغاء البلاغ حقي لانه غلط", "متى يرد الموظف", "", "رقم هويتي 1012345678"]
)
def test_ordinary_messages_do_not_leave_the_queue(text):
    assert not handoff.wants_to_leave_queue(text)


def test_a_queued_citizen_can_leave_but_not_once_an_agent_has_it(db):
    view = handoff.escalate("web:leave-1", "fallback", now=RIYADH_10AM)
    assert handoff.LEAVE_HINT in handoff.escalation_message(view, now=RIYADH_10AM)["text"]
    assert handoff.leave_queue("web:leave-1")
    assert handoff.state_of("web:leave-1") == "bot"
    assert not handoff.leave_queue("web:leave-1")  # nothing open any more

    view = handoff.escalate("web:leave-2", "requested", now=RIYADH_10AM)
    assert handoff.claim(view.id, "sara")
    assert not handoff.leave_queue("web:leave-2")
    assert handoff.state_of("web:leave-2") == "agent"


def test_wait_estimate_survives_a_database_error(monkeypatch, tmp_path):
    """Queued already: the citizen still gets the escalation message, with the per-case guess."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")  # no tables
    monkeypatch.setenv("HANDOFF_MINUTES_PER_CASE", "4")
    reset_engine()
    try:
        assert handoff.estimated_wait_minutes(3) == 12
    finally:
        reset_engine()


def test_queued_citizen_is_acknowledged_first_and_after_a_pause_only(db, monkeypatch):
    monkeypatch.setenv("HANDOFF_ACK_MINUTES", "5")
    handoff.escalate("web:a", "requested")
    h = handoff.escalate("web:b", "requested")
    t0 = datetime(2024, 5, 5, 7, 0, tzinfo=timezone.utc)  # 10:00 Riyadh, a Sunday
    first = handoff._citizen_wrote("web:b", now=t0)
    assert first[0] and "دورك رقم 2" in first[1] and handoff.LEAVE_HINT in first[1]
    assert handoff._citizen_wrote("web:b", now=t0 + timedelta(minutes=1)) == (True, None)
    assert handoff._citizen_wrote("web:b", now=t0 + timedelta(minutes=4)) == (True, None)
    later = handoff._citizen_wrote("web:b", now=t0 + timedelta(minutes=10))[1]
    assert later and "دورك رقم 2" in later
    night = handoff._citizen_wrote("web:b", now=t0 + timedelta(hours=14))[1]  # 00:00 Riyadh
    assert night and "الدوام" in night and "دورك" not in night
    handoff.claim(h.id, "agent1")
    assert handoff._citizen_wrote("web:b", now=t0 + timedelta(hours=20)) == (
        True,
        None,
    )  # agent is there


def test_the_queue_acknowledgement_is_in_the_citizens_language(db):
    from bot.store import conversations

    handoff.escalate("web:en", "requested")
    t0 = datetime(2024, 5, 5, 7, 0, tzinfo=timezone.utc)  # 10:00 Riyadh, a Sunday
    first = handoff._citizen_wrote("web:en", now=t0, text="How long will I wait?")[1]
    assert "number 1 in line" in first and "type: cancel" in first
    # A message that does not say takes the language of the citizen's last one.
    conversations.record_inbound("web:en", "web", "en", "Is anyone there?", None)
    later = handoff._citizen_wrote("web:en", now=t0 + timedelta(minutes=10), text="👍")[1]
    assert later.startswith("Your message arrived")
    arabic = handoff._citizen_wrote("web:en", now=t0 + timedelta(minutes=20), text="وينكم")[1]
    assert "دورك رقم 1" in arabic
