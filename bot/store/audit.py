"""Audit log: who changed what, when. Never stores personal numbers in clear."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from sqlalchemy import Column, DateTime, Integer, String, Text
from sqlalchemy.orm import Session

from bot.store.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = Column(String(80), nullable=False)  # "backoffice", "bot", "agent:<username>"
    action = Column(String(80), nullable=False)  # e.g. "ticket.created"
    subject_type = Column(String(40), nullable=False)  # "ticket", "objection", "handoff", ...
    subject_id = Column(String(64), nullable=False)
    detail = Column(Text, nullable=True)  # JSON, masked values only


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: Any,
    detail: Optional[Dict[str, Any]] = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (so it commits or rolls back with the change)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    )
    session.add(entry)
    return entry
