"""Reading handoff episodes: the current state of a conversation, one episode, the queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy import bindparam, func, select

from bot.services.handoff.wording import REASONS
from bot.store import session_scope, transaction
from bot.store.base import utcnow
from bot.store.handoffs import BOT, OPEN_STATES, QUEUED, Handoff, aware


def state_of(conversation_id: str) -> str:
    """ "queued" or "agent" while a handoff is open, else "bot". Read on every message: one
    Core statement, no ORM session."""
    with transaction() as connection:
        state = connection.execute(_STATE_OF, {"conversation_id": conversation_id}).scalar()
    return state or BOT


_STATE_OF = (
    select(Handoff.__table__.c.state)
    .where(
        Handoff.__table__.c.conversation_id == bindparam("conversation_id"),
        Handoff.__table__.c.state.in_(OPEN_STATES),
    )
    .limit(1)
)


@dataclass
class HandoffView:
    """A detached, read-only copy of a handoff row plus derived fields."""

    id: int
    conversation_id: str
    channel: str
    state: str
    reason: str
    reason_detail: Optional[str]
    snapshot: Dict[str, Any]
    queued_at: datetime
    claimed_at: Optional[datetime]
    claimed_by: Optional[str]
    ended_at: Optional[datetime]
    ended_by: Optional[str]
    last_citizen_at: Optional[datetime]
    last_agent_at: Optional[datetime]
    ticket_ref: Optional[str]
    position: Optional[int] = None  # 1-based place in the queue while queued
    created: bool = False  # escalate(): True if this call opened the episode

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def waiting_seconds(self, now: Optional[datetime] = None) -> int:
        end = self.claimed_at or self.ended_at or (now or utcnow())
        return max(0, int((end - self.queued_at).total_seconds()))

    @classmethod
    def of(cls, row: Handoff, **extra: Any) -> "HandoffView":
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            channel=row.channel,
            state=row.state,
            reason=row.reason,
            reason_detail=row.reason_detail,
            snapshot=json.loads(row.snapshot) if row.snapshot else {},
            queued_at=aware(row.queued_at),
            claimed_at=aware(row.claimed_at),
            claimed_by=row.claimed_by,
            ended_at=aware(row.ended_at),
            ended_by=row.ended_by,
            last_citizen_at=aware(row.last_citizen_at),
            last_agent_at=aware(row.last_agent_at),
            ticket_ref=row.ticket_ref,
            **extra,
        )


def get(handoff_id: int) -> Optional[HandoffView]:
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        if row is None:
            return None
        return HandoffView.of(row, position=_position(session, row))


def open_for(conversation_id: str) -> Optional[HandoffView]:
    with session_scope() as session:
        row = session.execute(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_STATES))
            .limit(1)
        ).scalar_one_or_none()
        return HandoffView.of(row, position=_position(session, row)) if row else None


def _position(session, row: Handoff) -> Optional[int]:
    if row.state != QUEUED:
        return None
    ahead = session.execute(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.state == QUEUED,
            (Handoff.queued_at < row.queued_at)
            | ((Handoff.queued_at == row.queued_at) & (Handoff.id < row.id)),
        )
    ).scalar_one()
    return ahead + 1


def queue(include_recent_minutes: int = 0, now: Optional[datetime] = None) -> List[HandoffView]:
    """Open episodes, oldest first (queued and with an agent); optionally recently ended ones."""
    now = now or utcnow()
    with session_scope() as session:
        cond = Handoff.state.in_(OPEN_STATES)
        if include_recent_minutes:
            cond = cond | (Handoff.ended_at >= now - timedelta(minutes=include_recent_minutes))
        rows = (
            session.execute(select(Handoff).where(cond).order_by(Handoff.queued_at, Handoff.id))
            .scalars()
            .all()
        )
        views, position = [], 0
        for row in rows:
            if row.state == QUEUED:
                position += 1
            views.append(HandoffView.of(row, position=position if row.state == QUEUED else None))
        return views


# ---------------------------------------------------------------- history and search

# "open" (queued or with an agent) is the default list; the others reach into history.
FILTERS = ("open", "mine", "waiting", "closed", "all")
HISTORY_LIMIT = 100


def history(
    agent: str,
    filter: str = "open",
    q: str = "",
    channel: str = "",
    by: str = "",
    since: Optional[datetime] = None,
    until: Optional[datetime] = None,
    limit: int = HISTORY_LIMIT,
) -> List[HandoffView]:
    """Episodes for the desk's list: open ones first (oldest first, as they wait), then
    ended ones, newest first, at most `limit` of those.

    filter: "open" (queued or with an agent), "mine" (held or ended by `agent`), "waiting"
    (queued), "closed" (handed back or closed), "all". `q` finds an episode by its number ("#12"), its "صوتك مسموع" ticket,
    a label, the last digits of a WhatsApp number or a masked ID as the desk shows it
    ("1•••••••89"); `channel`, `by` (agent username) and `since`/`until` (queued between)
    narrow it further."""
    from bot.store.handoffs import HandoffLabel

    cond = []
    if filter == "mine":
        cond.append((Handoff.claimed_by == agent) | (Handoff.ended_by == agent))
    elif filter == "waiting":
        cond.append(Handoff.state == QUEUED)
    elif filter == "closed":
        cond.append(Handoff.state.not_in(OPEN_STATES))
    if channel:
        cond.append(Handoff.channel == channel[:32])
    if by:
        cond.append((Handoff.claimed_by == by[:80]) | (Handoff.ended_by == by[:80]))
    if since is not None:
        cond.append(Handoff.queued_at >= since)
    if until is not None:
        cond.append(Handoff.queued_at < until)
    term = " ".join((q or "").split())[:64]
    if term:
        bare = term.lstrip("#").strip()
        like = f"%{_escape(bare)}%"
        if term.startswith("#") and bare.isdigit():  # "#12": that episode only
            found = [Handoff.id == int(bare[:9])]
        else:
            found = [
                Handoff.ticket_ref.ilike(like, escape="\\"),
                Handoff.snapshot.like(like, escape="\\"),
                Handoff.id.in_(
                    select(HandoffLabel.handoff_id).where(
                        HandoffLabel.label.like(like, escape="\\")
                    )
                ),
            ]
            if bare.isdigit():
                found.append(Handoff.id == int(bare[:9]))
                if len(bare) >= 4:  # the masked WhatsApp number shows the last four digits
                    found.append(Handoff.conversation_id.like(f"whatsapp:%{bare}"))
        cond.append(_any(found))
    with session_scope() as session:
        open_rows = (
            session.execute(
                select(Handoff)
                .where(Handoff.state.in_(OPEN_STATES), *cond)
                .order_by(Handoff.queued_at, Handoff.id)
            )
            .scalars()
            .all()
        )
        ended_rows = []
        if filter not in ("waiting", "open"):
            ended_rows = (
                session.execute(
                    select(Handoff)
                    .where(Handoff.state.not_in(OPEN_STATES), *cond)
                    .order_by(Handoff.ended_at.desc(), Handoff.id.desc())
                    .limit(max(1, min(limit, HISTORY_LIMIT)))
                )
                .scalars()
                .all()
            )
        # One query for every queued row's place, not one per row.
        places = {}
        if any(r.state == QUEUED for r in open_rows):
            queued = session.execute(
                select(Handoff.id)
                .where(Handoff.state == QUEUED)
                .order_by(Handoff.queued_at, Handoff.id)
            ).scalars()
            places = {hid: i for i, hid in enumerate(queued, start=1)}
        return [HandoffView.of(r, position=places.get(r.id)) for r in open_rows] + [
            HandoffView.of(r) for r in ended_rows
        ]


def waiting_ids() -> List[int]:
    """The queued episodes' numbers, oldest first (the desk's alerts count them)."""
    with session_scope() as session:
        return list(
            session.execute(
                select(Handoff.id)
                .where(Handoff.state == QUEUED)
                .order_by(Handoff.queued_at, Handoff.id)
            ).scalars()
        )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _any(conditions):
    result = conditions[0]
    for c in conditions[1:]:
        result = result | c
    return result


def change_signature() -> tuple:
    """A cheap fingerprint of the whole table: it changes whenever any episode does."""
    with session_scope() as session:
        return tuple(
            session.execute(
                select(
                    func.count(Handoff.id),
                    func.max(Handoff.id),
                    func.max(Handoff.claimed_at),
                    func.max(Handoff.ended_at),
                    func.max(Handoff.last_citizen_at),
                    func.max(Handoff.last_agent_at),
                )
            ).one()
        )
