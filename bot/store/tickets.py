"""Tables shared by the bot and the back office: "صوتك مسموع" tickets, payment
objections, one-time codes and the SMS outbox.

The schema is created by Alembic (migrations/versions/0002_tickets.py); keep the
two in step (tests/unit/test_store.py compares them). National IDs and mobiles
are stored as entered (the support team needs them to act on a case) and are
masked by bot.services.privacy wherever they are shown or logged.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Index, Integer, String, Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from bot.store.base import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite stores the UTC wall time and
    hands back naive values, which this type marks as UTC again so comparisons
    with `utcnow()` work the same on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Ticket categories and statuses: the keys are stored, the Arabic labels shown.
TICKET_CATEGORIES = {
    "payment": "شكوى على دفعة",
    "data": "مشكلة في البيانات",
    "portal": "مشكلة في البوابة",
    "suggestion": "اقتراح",
    "other": "أخرى",
}
TICKET_STATUSES = {
    "open": "مفتوح",
    "in_progress": "قيد المعالجة",
    "resolved": "تم الحل",
    "closed": "مغلق",
}
OBJECTION_STATUSES = {
    "under_review": "قيد الدراسة",
    "accepted": "مقبول",
    "rejected": "مرفوض",
}


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("number", name="uq_tickets_number"),
        UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False)
    national_id = Column(String(10), nullable=False, index=True)
    mobile = Column(String(10), nullable=False)
    category = Column(String(20), nullable=False)
    description = Column(Text, nullable=False)
    status = Column(String(20), nullable=False, default="open")
    status_note = Column(Text, nullable=True)          # shown to the citizen with the status
    channel = Column(String(40), nullable=True)
    conversation_id = Column(String(255), nullable=True)
    # sha256(conversation id + form submission id): the same confirmation twice
    # finds the ticket it already created instead of making a second one.
    idempotency_key = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (UniqueConstraint("number", name="uq_objections_number"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False)
    national_id = Column(String(10), nullable=False, index=True)
    mobile = Column(String(10), nullable=False)        # registered on the objection: OTPs go here
    status = Column(String(20), nullable=False, default="under_review")
    payment_cycle = Column(String(40), nullable=False)  # e.g. "2025-01" or "الدورة 86"
    # SAR the objection is about, in halalas (integer: exact on SQLite and PostgreSQL)
    amount_halalas = Column(Integer, nullable=True)
    submitted_on = Column(Date, nullable=False)
    decided_on = Column(Date, nullable=True)
    decision_note = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OtpChallenge(Base):
    """A one-time code sent by SMS. Only a salted HMAC of the code is stored."""

    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_subject", "purpose", "subject"),)

    id = Column(Integer, primary_key=True)
    purpose = Column(String(40), nullable=False)        # "objection_status"
    subject = Column(String(64), nullable=False)        # what it unlocks: the objection number
    conversation_id = Column(String(255), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False)
    salt = Column(String(32), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    verified_at = Column(UTCDateTime, nullable=True)
    locked_until = Column(UTCDateTime, nullable=True)   # set after too many wrong codes
    superseded = Column(Boolean, nullable=False, default=False)


class SmsMessage(Base):
    """The SMS outbox: every message the assistant sends, whatever the gateway."""

    __tablename__ = "sms_outbox"
    __table_args__ = (UniqueConstraint("message_id", name="uq_sms_message_id"),)

    id = Column(Integer, primary_key=True)
    message_id = Column(String(36), nullable=False)     # uuid4, also the gateway idempotency key
    to = Column(String(16), nullable=False)             # +9665xxxxxxxx
    body = Column(Text, nullable=False)
    kind = Column(String(20), nullable=False, default="info")   # "otp", "ticket", "info"
    gateway = Column(String(20), nullable=False)        # "outbox", "http"
    status = Column(String(20), nullable=False)         # "stored", "sent", "failed"
    provider_ref = Column(String(80), nullable=True)
    error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or used right now (down, locked, not migrated)."""


def is_unavailable(exc: BaseException) -> bool:
    """True for database errors that mean "try later", not a bug or a constraint."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    return isinstance(exc, SQLAlchemyError) and not isinstance(exc, IntegrityError)
