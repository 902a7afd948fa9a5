"""The tables the retention purge and the erasure work on, as table clauses rather than
through their model classes, so a model moving between modules does not touch the purge;
tests/unit/test_retention.py runs every step against the real schema."""

from __future__ import annotations

from sqlalchemy import DateTime, Float, Integer, String, Text, column, table

from bot.store.audit import AuditEntry

_TS = DateTime(timezone=True)
TRANSCRIPTS = table(
    "transcript_messages",
    column("id", Integer),
    column("conversation_id", String),
    column("at", _TS),
    column("text", Text),
)
CONVERSATIONS = table(
    "conversations",
    column("conversation_id", String),
    column("recipient_id", String),
    column("created_at", _TS),
    column("last_inbound_at", _TS),
)
HANDOFFS = table(
    "handoffs",
    column("id", Integer),
    column("conversation_id", String),
    column("state", String),
    column("queued_at", _TS),
    column("ended_at", _TS),
    column("reason_detail", String),
    column("snapshot", Text),
)
OTP = table(
    "otp_challenges",
    column("id", Integer),
    column("purpose", String),
    column("subject", String),
    column("conversation_id", String),
    column("created_at", _TS),
    column("locked_until", _TS),
)
SMS = table(
    "sms_outbox",
    column("id", Integer),
    column("to", String),
    column("body", Text),
    column("created_at", _TS),
)
TICKETS = table(
    "tickets",
    column("id", Integer),
    column("number", String),
    column("national_id", String),
    column("mobile", String),
    column("conversation_id", String),
    column("description", Text),
    column("status_note", Text),
    column("idempotency_key", String),
    column("updated_at", _TS),
)
OBJECTIONS = table(
    "objections",
    column("id", Integer),
    column("number", String),
    column("national_id", String),
    column("mobile", String),
    column("decision_note", Text),
    column("updated_at", _TS),
)
AUDIT = AuditEntry.__table__
# Rasa's tracker store (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("timestamp", Float),
    column("data", Text),
)

NOTIFICATIONS = table(
    "notifications",
    column("id", Integer),
    column("subject_type", String),
    column("subject_number", String),
    column("conversation_id", String),
    column("mobile", String),
    column("state", String),
    column("created_at", _TS),
)
OPTOUTS = table(
    "notification_optouts",
    column("id", Integer),
    column("target", String),
    column("created_at", _TS),
)
