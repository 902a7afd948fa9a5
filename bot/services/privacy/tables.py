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
# Agents' notes and tags on an episode: the foreign key deletes them with it; the erasure
# deletes them itself too, whatever the connection's foreign-key setting (SQLite's is off
# unless turned on).
HANDOFF_NOTES = table("handoff_notes", column("id", Integer), column("handoff_id", Integer))
HANDOFF_LABELS = table("handoff_labels", column("id", Integer), column("handoff_id", Integer))
HANDOFF_PARTS = table("handoff_parts", column("id", Integer), column("handoff_id", Integer))
# What hangs off an episode, by table name.
EPISODE_DETAILS = (
    ("handoff_notes", HANDOFF_NOTES),
    ("handoff_labels", HANDOFF_LABELS),
    ("handoff_parts", HANDOFF_PARTS),
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

# The supervisors' console (bot/store/turns.py, csat.py, review.py).
TURNS = table(
    "bot_turns",
    column("id", Integer),
    column("conversation_id", String),
    column("day", Integer),
    column("text", Text),
)
RATINGS = table(
    "csat_ratings",
    column("id", Integer),
    column("conversation_id", String),
    column("day", Integer),
    column("comment", Text),
)
LABELS = table(
    "review_labels",
    column("id", Integer),
    column("turn_id", Integer),
    column("text", Text),
    column("note", Text),
    column("labelled_at", _TS),
)
# What a rating keeps once anonymised (by the purge or an erasure): its score, day, channel
# and what was finished, for the averages; the conversation id gives way to this marker.
ERASED_CONVERSATION = "erased"
ANONYMISED_RATING = {"conversation_id": ERASED_CONVERSATION, "comment": None}
