"""The "صوتك مسموع" tickets table, shared by the bot and the back office.

The schema is created by Alembic (migrations/versions/0002_tickets.py); keep the
two in step (tests/unit/test_store.py compares them). National IDs and mobiles
are stored as entered (the support team needs them to act on a case) and are
masked by bot.masking wherever they are shown or logged.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

# Their home is bot.store.base; re-exported because ticket code still imports them from here.
from bot.store.base import Base, UTCDateTime, utcnow


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
    status_note = Column(Text, nullable=True)  # shown to the citizen with the status
    channel = Column(String(40), nullable=True)
    conversation_id = Column(String(255), nullable=True)
    # sha256(conversation id + form submission id): the same confirmation twice
    # finds the ticket it already created instead of making a second one.
    idempotency_key = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
