"""The SMS outbox (bot.services.sms.gateway). Created by Alembic
(migrations/versions/0002_tickets.py); tests/unit/test_store.py compares the two."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

from bot.store.base import Base, UTCDateTime, utcnow


class SmsMessage(Base):
    """The SMS outbox: every message the assistant sends, whatever the gateway."""

    __tablename__ = "sms_outbox"
    __table_args__ = (UniqueConstraint("message_id", name="uq_sms_message_id"),)

    id = Column(Integer, primary_key=True)
    message_id = Column(String(36), nullable=False)  # uuid4, also the gateway idempotency key
    to = Column(String(16), nullable=False)  # +9665xxxxxxxx
    body = Column(Text, nullable=False)
    kind = Column(String(20), nullable=False, default="info")  # "otp", "ticket", "info"
    gateway = Column(String(20), nullable=False)  # "outbox", "http"
    status = Column(String(20), nullable=False)  # "stored", "sent", "failed"
    provider_ref = Column(String(80), nullable=True)
    error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
