"""Fixture conversations for the console's numbers, with the answers worked out by hand
(tests/console/test_console_stats.py checks them on SQLite and PostgreSQL).

Day D is 2026-11-10 in Riyadh. Conversations (bot turns):
    web:a        D  greet .9, faq/conditions .8                    contained
    telegram:1   D  nlu_fallback .3 (fallback), human_handoff (handoff)   handed off
    whatsapp:9   D  faq/documents .5;  D+1 (3 h later) fallback    came back; D+1 ended on fallback
    web:e        D  eligibility form started (asks elig_saudi, conf .45), then elig_age,
                    repeated text, never completed                   contained, abandoned form
    web:f        D  ticket form started, then completed (ticket)     contained, rated 2
Latency: the ten turns took 100, 200, … 1000 ms.
Handoffs: sara 60 s wait / 600 s handling (fallback), omar 180 s / 300 s (requested),
one still queued (requested).
Ratings: web:a 5 (after a ticket, intent faq/conditions), web:f 2 with a comment that
holds a mobile number, one question unanswered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.store import session_scope
from bot.store import turns as turn_store
from bot.store.conversations import record_inbound, record_outbound
from bot.store.csat import CsatRating
from bot.store.handoffs import Handoff, HandoffPart

D = (date(2026, 11, 10) - date(1970, 1, 1)).days
T0 = turn_store.day_start_ts(D) + 9 * 3600  # 09:00 Riyadh


def at(seconds: int, t0: int = T0) -> datetime:
    return datetime.fromtimestamp(t0 + seconds, timezone.utc)


TURNS = [
    # (conversation, channel, offset s, facts)
    ("web:a", "web", 0, {"intent": "greet", "confidence": 0.9, "text": "السلام عليكم"}),
    ("web:a", "web", 60, {"intent": "faq/conditions", "confidence": 0.8, "text": "وش الشروط"}),
    (
        "telegram:1",
        "telegram",
        100,
        {
            "intent": "nlu_fallback",
            "confidence": 0.3,
            "fallback": True,
            "text": "ابي فلوسي 1012345678",
        },
    ),
    (
        "telegram:1",
        "telegram",
        160,
        {"intent": "human_handoff", "confidence": 0.95, "handoff": True, "text": "ابي موظف"},
    ),
    (
        "whatsapp:9",
        "whatsapp",
        200,
        {"intent": "faq/documents", "confidence": 0.5, "text": "وش الاوراق"},
    ),
    (
        "web:e",
        "web",
        300,
        {
            "intent": "check_eligibility",
            "confidence": 0.45,
            "text": "ابي اتحقق",
            "form": "eligibility_form",
            "form_event": "started",
            "requested_slot": "elig_saudi",
            "active": True,
        },
    ),
    (
        "web:e",
        "web",
        360,
        {
            "intent": "check_eligibility",
            "confidence": 0.7,
            "text": "ابي اتحقق",
            "form": "eligibility_form",
            "requested_slot": "elig_age",
            "active": True,
        },
    ),
    (
        "web:f",
        "web",
        400,
        {
            "intent": "open_ticket",
            "confidence": 0.9,
            "text": "ابي بلاغ",
            "form": "ticket_form",
            "form_event": "started",
            "requested_slot": "ticket_national_id",
            "active": True,
        },
    ),
    (
        "web:f",
        "web",
        460,
        {
            "intent": "affirm",
            "confidence": 0.9,
            "text": "نعم",
            "form": "ticket_form",
            "form_event": "completed",
            "finished": "ticket",
        },
    ),
    (
        "whatsapp:9",
        "whatsapp",
        200 + 3 * 3600 + 86400 - 4 * 3600,
        {"intent": "nlu_fallback", "confidence": 0.2, "fallback": True, "text": "؟؟"},
    ),
]


def load(day: int = D) -> dict:
    """The fixture with its day D moved to `day` (default 2026-11-10)."""
    t0 = turn_store.day_start_ts(day) + 9 * 3600
    ids = {}
    for i, (conv, channel, offset, facts) in enumerate(TURNS):
        record_inbound(conv, channel, conv.split(":")[1], facts["text"], at=at(offset, t0))
        record_outbound(conv, f"رد {i}", at=at(offset, t0) + timedelta(seconds=1))
        ids[(conv, offset)] = turn_store.record_turn(
            conv, channel, (i + 1) * 100, False, at=t0 + offset + 1, facts=facts
        )
    with session_scope() as s:
        s.add_all(
            [
                Handoff(
                    conversation_id="telegram:1",
                    channel="telegram",
                    state="closed",
                    reason="fallback",
                    queued_at=at(170, t0),
                    claimed_at=at(230, t0),
                    claimed_by="sara",
                    ended_at=at(830, t0),
                    ended_by="sara",
                ),
                Handoff(
                    conversation_id="telegram:2",
                    channel="telegram",
                    state="closed",
                    reason="requested",
                    queued_at=at(3 * 3600, t0),
                    claimed_at=at(3 * 3600 + 180, t0),
                    claimed_by="omar",
                    ended_at=at(3 * 3600 + 480, t0),
                    ended_by="omar",
                ),
                Handoff(
                    conversation_id=f"web:q{day}",
                    channel="web",
                    state="queued",
                    reason="requested",
                    queued_at=at(4 * 3600, t0),
                ),
            ]
        )
        s.flush()
        # Each claimed episode's one part, as the transitions write it.
        s.add_all(
            [
                HandoffPart(
                    handoff_id=h.id,
                    agent=h.claimed_by,
                    began="claimed",
                    waiting_since=h.queued_at,
                    started_at=h.claimed_at,
                    ended_at=h.ended_at,
                    ended="closed",
                )
                for h in s.query(Handoff).filter(Handoff.claimed_by.isnot(None))
            ]
        )
        s.add_all(
            [
                CsatRating(
                    conversation_id="web:a",
                    channel="web",
                    day=day,
                    asked_at=at(70, t0),
                    answered_at=at(80, t0),
                    finished="ticket",
                    intent="faq/conditions",
                    score=5,
                    state="rated",
                ),
                CsatRating(
                    conversation_id="web:f",
                    channel="web",
                    day=day,
                    asked_at=at(470, t0),
                    answered_at=at(480, t0),
                    finished="ticket",
                    score=2,
                    comment="بطيء جدا رقمي 0551234567",
                    state="done",
                ),
                CsatRating(
                    conversation_id="telegram:1",
                    channel="telegram",
                    day=day,
                    asked_at=at(900, t0),
                    finished="agent_closed",
                    agent="sara",
                    state="asked",
                ),
            ]
        )
    return ids
