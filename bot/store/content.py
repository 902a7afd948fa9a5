"""Content the program's staff edit in the console: proposed changes (drafts waiting for a
second person) and published releases.

A release holds the whole set of published values that differ from the seed files in
bot/content/ (a few hundred short texts at most), so every worker loads one row to know
exactly what to say, a rollback is a new release copying an earlier one, and an item's
history is read by walking the releases.
"""

from __future__ import annotations

import json
from typing import Dict

from sqlalchemy import Column, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Session

from bot.store.base import Base, UTCDateTime, utcnow

PENDING, APPROVED, REJECTED, PUBLISHED = "pending", "approved", "rejected", "published"
WITHDRAWN = "withdrawn"  # by its author, before anyone decided


class ContentChange(Base):
    """One item's proposed wording, in one or both languages, until an approver decides."""

    __tablename__ = "content_changes"

    id = Column(Integer, primary_key=True)
    item = Column(String(160), nullable=False, index=True)  # e.g. "faq.contact_channels"
    # JSON {"ar": text, "en": text}: only the languages the editor changed.
    texts = Column(Text, nullable=False)
    # JSON: what the checks flagged without refusing (e.g. one language left as it was).
    warnings = Column(Text, nullable=True)
    note = Column(Text, nullable=True)
    author = Column(String(80), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    state = Column(String(12), nullable=False, default=PENDING, index=True)
    decided_by = Column(String(80), nullable=True)
    decided_at = Column(UTCDateTime, nullable=True)
    release_id = Column(Integer, ForeignKey("content_releases.id"), nullable=True)


class ContentRelease(Base):
    """What citizens are told from this release on: `values` is JSON
    {"<item>|<lang>": text} over the seed files."""

    __tablename__ = "content_releases"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    published_by = Column(String(80), nullable=False)
    kind = Column(String(12), nullable=False)  # "publish", "rollback"
    note = Column(Text, nullable=True)
    values = Column(Text, nullable=False)


def latest_release_id(session: Session) -> int:
    """The newest release's id, 0 before the first publish."""
    return session.execute(select(func.max(ContentRelease.id))).scalar() or 0


def release_values(session: Session, release_id: int) -> Dict[str, str]:
    if not release_id:
        return {}
    row = session.get(ContentRelease, release_id)
    return json.loads(row.values) if row is not None else {}
