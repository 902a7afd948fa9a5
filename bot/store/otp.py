"""One-time codes sent by SMS (bot.services.verification.otp). Created by Alembic
(migrations/versions/0002_tickets.py); tests/unit/test_store.py compares the two."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String

from bot.store.base import Base, UTCDateTime, utcnow


class OtpChallenge(Base):
    """A one-time code sent by SMS. Only a salted HMAC of the code is stored."""

    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_subject", "purpose", "subject"),)

    id = Column(Integer, primary_key=True)
    purpose = Column(String(40), nullable=False)  # what for, e.g. "objection_status"
    subject = Column(String(64), nullable=False)  # what it unlocks, e.g. an objection number
    conversation_id = Column(String(255), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False)
    salt = Column(String(32), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    verified_at = Column(UTCDateTime, nullable=True)
    locked_until = Column(UTCDateTime, nullable=True)  # set after too many wrong codes
    superseded = Column(Boolean, nullable=False, default=False)
