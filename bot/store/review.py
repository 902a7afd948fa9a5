"""Supervisors' labels on messages the assistant probably got wrong (the review queue).

One label per bot turn (`turn_id`, a bot_turns row), changed in place; every change is
audited by bot.services.console.review. `label` is "intent" (the right intent or FAQ answer is
in `intent`, e.g. "greet" or "faq/conditions"), "out_of_scope", "new_topic" (with a
`note`) or "ignore". `text` is the message as reviewed and `note` the supervisor's note,
both masked here (bot.masking.mask_text) whatever the caller passes: a note may quote a
number the supervisor saw elsewhere.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, Integer, String, Text, insert, select, update

from bot.masking import mask_text
from bot.nlu.arabic import to_ascii_digits
from bot.store import transaction
from bot.store.base import Base, UTCDateTime

LABELS = ("intent", "out_of_scope", "new_topic", "ignore")


class ReviewLabel(Base):
    __tablename__ = "review_labels"

    id = Column(Integer, primary_key=True)
    turn_id = Column(Integer, nullable=False, unique=True)
    label = Column(String(20), nullable=False, index=True)
    intent = Column(String(120), nullable=True)
    note = Column(Text, nullable=True)
    text = Column(Text, nullable=False)
    labelled_by = Column(String(80), nullable=False)
    labelled_at = Column(UTCDateTime, nullable=False)


_T = ReviewLabel.__table__


def _masked(text: str) -> str:
    # Digits that are no personal number stay as written (as transcripts keep them).
    masked = mask_text(text)
    return masked if masked != to_ascii_digits(text) else text


def upsert(
    turn_id: int, label: str, intent: Optional[str], note: Optional[str], text: str, by: str
) -> Optional[Dict[str, Any]]:
    """Set the turn's label; returns the previous label as a dict (None if new)."""
    now = datetime.now(timezone.utc)
    values = dict(
        label=label,
        intent=intent,
        note=_masked(note) if note else note,
        text=_masked(text),
        labelled_by=by,
        labelled_at=now,
    )
    with transaction() as c:
        old = c.execute(select(_T).where(_T.c.turn_id == turn_id)).mappings().first()
        if old is None:
            c.execute(insert(_T).values(turn_id=turn_id, **values))
            return None
        c.execute(update(_T).where(_T.c.turn_id == turn_id).values(**values))
        return dict(old)


def labels_for(turn_ids: List[int]) -> Dict[int, Dict[str, Any]]:
    if not turn_ids:
        return {}
    with transaction() as c:
        rows = c.execute(select(_T).where(_T.c.turn_id.in_(turn_ids))).mappings().all()
    return {r["turn_id"]: dict(r) for r in rows}


def all_labels(label: Optional[str] = None) -> List[Dict[str, Any]]:
    q = select(_T).order_by(_T.c.id)
    if label:
        q = q.where(_T.c.label == label)
    with transaction() as c:
        return [dict(r) for r in c.execute(q).mappings().all()]
