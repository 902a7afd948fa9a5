"""Each agent's part of an episode (bot/store/handoffs.py, `HandoffPart`): begun by a claim
or a transfer, ended by a transfer, a release, a hand-back or a close. The transitions
call `begin` and `end` inside the transaction of their state change, so a part exists
exactly when the change does."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from sqlalchemy import select, update

from bot.store import session_scope
from bot.store.handoffs import CLAIMED, RELEASED, Handoff, HandoffPart, aware


def begin(session, handoff_id: int, agent: str, began: str, now: datetime) -> None:
    """`agent` holds the episode from `now` (`began`: claimed or transferred)."""
    waiting_since = None
    if began == CLAIMED:
        last = session.execute(
            select(HandoffPart.ended, HandoffPart.ended_at)
            .where(HandoffPart.handoff_id == handoff_id)
            .order_by(HandoffPart.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.ended == RELEASED:
            waiting_since = last.ended_at  # back in the queue since the release
        else:
            waiting_since = session.execute(
                select(Handoff.queued_at).where(Handoff.id == handoff_id)
            ).scalar()
    session.add(
        HandoffPart(
            handoff_id=handoff_id,
            agent=agent[:80],
            began=began,
            waiting_since=waiting_since,
            started_at=now,
        )
    )


def end(session, handoff_id: int, how: str, now: datetime) -> None:
    """The holding agent's part ends (`how`: transferred, released, returned, closed)."""
    session.execute(
        update(HandoffPart)
        .where(HandoffPart.handoff_id == handoff_id, HandoffPart.ended_at.is_(None))
        .values(ended_at=now, ended=how)
        .execution_options(synchronize_session=False)
    )


def parts_of(handoff_id: int) -> List[Dict[str, Any]]:
    """The episode's parts, oldest first."""
    with session_scope() as session:
        rows = session.execute(
            select(HandoffPart).where(HandoffPart.handoff_id == handoff_id).order_by(HandoffPart.id)
        ).scalars()
        return [
            {
                "agent": p.agent,
                "began": p.began,
                "waiting_since": aware(p.waiting_since),
                "started_at": aware(p.started_at),
                "ended_at": aware(p.ended_at),
                "ended": p.ended,
            }
            for p in rows
        ]
