"""The payment objections table (اعتراض على دفعة): created and decided in the back
office, reported to their owner by the assistant after a one-time code.

The schema is created by Alembic (migrations/versions/0002_tickets.py); keep the
two in step (tests/unit/test_store.py compares them). National IDs and mobiles
are stored as entered and masked by bot.masking wherever they are shown.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, String, Text, UniqueConstraint

from bot.store.base import Base, UTCDateTime, utcnow

# The keys are stored, the Arabic labels shown.
OBJECTION_STATUSES = {
    "under_review": "قيد الدراسة",
    "accepted": "مقبول",
    "rejected": "مرفوض",
}


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (UniqueConstraint("number", name="uq_objections_number"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(16), nullable=False)
    national_id = Column(String(10), nullable=False, index=True)
    mobile = Column(String(10), nullable=False)  # registered on the objection: OTPs go here
    status = Column(String(20), nullable=False, default="under_review")
    payment_cycle = Column(String(40), nullable=False)  # e.g. "2025-01" or "الدورة 86"
    # SAR the objection is about, in halalas (integer: exact on SQLite and PostgreSQL)
    amount_halalas = Column(Integer, nullable=True)
    submitted_on = Column(Date, nullable=False)
    decided_on = Column(Date, nullable=True)
    decision_note = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
