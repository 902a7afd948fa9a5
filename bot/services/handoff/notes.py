"""Agents' internal notes and labels on a handoff episode.

Notes are for colleagues (what was checked, what was promised): they live in their own
table, never in the transcript, so no channel can ever send one to the citizen. Personal
numbers typed into a note are masked before it is stored, like everything staff see, and
invisible characters (bidi overrides such as U+202E, zero-width marks) are dropped.
Labels are short free-text tags ("دفعات", "تحديث بيانات") to find episodes again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.cleantext import without_invisible
from bot.masking import mask_text
from bot.services.handoff import events
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.handoffs import Handoff, HandoffLabel, HandoffNote, aware

MAX_NOTE = 1000
MAX_LABEL = 40
MAX_LABELS = 10


def add_note(
    handoff_id: int, agent: str, text: str, now: Optional[datetime] = None
) -> Optional[Dict[str, Any]]:
    """Any signed-in agent may note on any episode (a colleague's case, a closed one).
    None for an empty note or an unknown episode."""
    text = mask_text(without_invisible(text or "").strip())[:MAX_NOTE]
    if not text:
        return None
    with session_scope() as s:
        if s.get(Handoff, handoff_id) is None:
            return None
        note = HandoffNote(
            handoff_id=handoff_id, author=agent, text=text, created_at=now or utcnow()
        )
        s.add(note)
        s.flush()
        audit.record(s, f"agent:{agent}", "handoff.note_added", "handoff", handoff_id)
        result = _note(note)
    events.emit("note", handoff_id)
    return result


def notes_for(handoff_id: int) -> List[Dict[str, Any]]:
    with session_scope() as s:
        rows = s.execute(
            select(HandoffNote)
            .where(HandoffNote.handoff_id == handoff_id)
            .order_by(HandoffNote.created_at, HandoffNote.id)
        ).scalars()
        return [_note(n) for n in rows]


def _note(n: HandoffNote) -> Dict[str, Any]:
    return {
        "id": n.id,
        "author": n.author,
        "text": n.text,
        "at": aware(n.created_at).isoformat(),
    }


def _clean_label(label: str) -> str:
    # Bidi overrides (U+202E) would show a colleague a tag or note reversed; a number typed
    # as a tag is shown like every other number, masked.
    return mask_text(" ".join(without_invisible(label or "").split()))[:MAX_LABEL]


def add_label(handoff_id: int, agent: str, label: str) -> bool:
    """False for an empty label, an unknown episode or one that has MAX_LABELS already;
    adding a label twice is not an error."""
    label = _clean_label(label)
    if not label:
        return False
    try:
        with session_scope() as s:
            if s.get(Handoff, handoff_id) is None:
                return False
            if len(labels_for(handoff_id, s)) >= MAX_LABELS:
                return False
            s.add(
                HandoffLabel(handoff_id=handoff_id, label=label, added_by=agent, added_at=utcnow())
            )
            s.flush()
            audit.record(
                s, f"agent:{agent}", "handoff.label_added", "handoff", handoff_id, {"label": label}
            )
    except IntegrityError:
        return True
    events.emit("label", handoff_id)
    return True


def remove_label(handoff_id: int, agent: str, label: str) -> bool:
    label = _clean_label(label)
    with session_scope() as s:
        result = s.execute(
            delete(HandoffLabel).where(
                HandoffLabel.handoff_id == handoff_id, HandoffLabel.label == label
            )
        )
        if result.rowcount != 1:
            return False
        audit.record(
            s, f"agent:{agent}", "handoff.label_removed", "handoff", handoff_id, {"label": label}
        )
    events.emit("label", handoff_id)
    return True


def labels_for(handoff_id: int, session=None) -> List[str]:
    query = (
        select(HandoffLabel.label)
        .where(HandoffLabel.handoff_id == handoff_id)
        .order_by(HandoffLabel.added_at, HandoffLabel.id)
    )
    if session is not None:
        return list(session.execute(query).scalars())
    with session_scope() as s:
        return list(s.execute(query).scalars())
