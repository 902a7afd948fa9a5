"""The notification outbox and the citizens' opt-outs (bot.services.notifications).

A row of `notifications` is written in the same transaction as the status change it
announces (a ticket's status, an objection's decision), so a change is never committed
without its message nor a message without its change. The sender (`python -m
channels.notify.sender`) claims rows, delivers them and marks them; `idempotency_key` (one per
change) makes a second enqueue of the same change a no-op.

States: pending (waiting for its next attempt) → sending (claimed: a sender holds the
lease) → sent | failed (every channel tried) | unconfirmed (the sender died after handing
it to a channel that cannot be asked whether it arrived: never resent on its own, staff
decide) | skipped (the citizen stopped notifications).

Created by Alembic (migrations/versions/0008_notifications.py); tests/unit/test_store.py
compares the two. Rows name the citizen only through the conversation, the mobile and
the case number: the erasure and the retention purge cover both tables.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

from bot.store.base import Base, UTCDateTime, utcnow

STATES = ("pending", "sending", "sent", "failed", "unconfirmed", "skipped")
OPEN_STATES = ("pending", "sending")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_notifications_key"),)

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(64), nullable=False)
    subject_type = Column(String(20), nullable=False)  # "ticket" or "objection"
    subject_number = Column(String(16), nullable=False, index=True)
    status = Column(String(20), nullable=False)  # the new status it announces
    body = Column(Text, nullable=False)  # Arabic text: number, status, what next
    conversation_id = Column(String(128), nullable=True, index=True)  # the chat to tell
    mobile = Column(String(10), nullable=True, index=True)  # 05xxxxxxxx, for SMS
    channels = Column(String(80), nullable=False)  # plan, e.g. "telegram,sms"
    channel_index = Column(Integer, nullable=False, default=0)  # the channel being tried
    attempts = Column(Integer, nullable=False, default=0)  # on the current channel
    state = Column(String(20), nullable=False, default="pending", index=True)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    lease_holder = Column(String(120), nullable=True)
    lease_until = Column(UTCDateTime, nullable=True)
    sent_channel = Column(String(20), nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    channel_message_id = Column(String(128), nullable=True)
    last_error = Column(String(200), nullable=True)  # error kind only, never personal data
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class NotificationOptOut(Base):
    """A citizen who asked for no more notifications: by conversation (they wrote
    "إيقاف التنبيهات" there) or by mobile (staff recorded it, e.g. for SMS)."""

    __tablename__ = "notification_optouts"
    __table_args__ = (UniqueConstraint("target", name="uq_notification_optouts_target"),)

    id = Column(Integer, primary_key=True)
    target = Column(String(140), nullable=False)  # "conversation:<id>" or "mobile:05xxxxxxxx"
    source = Column(String(80), nullable=False)  # "citizen" or "backoffice:<login>"
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
