"""Citizens' ratings (CSAT): one row per time the assistant asked "how was it?".

state: "due" (to ask on the conversation's next bot turn: the question after an agent's
close or hand-back could not reach the citizen then), "asked" (no answer yet), "rated" (a score), "comment" (rated, and the citizen
chose to add a comment: their next message is the comment), "done" (comment stored).
`finished` says what was finished (ticket, precheck, objection, ticket_status,
agent_closed, agent_returned); `agent` is the desk agent's username when one took part.
Comments are stored masked (bot.masking.mask_text).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, Optional

from sqlalchemy import Column, Integer, String, Text, bindparam, insert, select, update

from bot.masking import mask_text
from bot.store import transaction
from bot.store.base import Base, UTCDateTime, utcnow
from bot.store.turns import riyadh_day

DUE, ASKED, RATED, COMMENT, DONE = "due", "asked", "rated", "comment", "done"
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 1000


class CsatRating(Base):
    __tablename__ = "csat_ratings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(20), nullable=False)
    day = Column(Integer, nullable=False)  # Riyadh day of the question
    asked_at = Column(UTCDateTime, nullable=False)
    answered_at = Column(UTCDateTime, nullable=True)
    finished = Column(String(40), nullable=False)
    agent = Column(String(80), nullable=True)
    intent = Column(String(120), nullable=True)
    score = Column(Integer, nullable=True)
    comment = Column(Text, nullable=True)
    state = Column(String(12), nullable=False, default=ASKED)


_T = CsatRating.__table__


def asked_since(
    conversation_id: str, since: datetime, finished_in: Optional[Iterable[str]] = None
) -> bool:
    """Was this conversation asked since `since` (about one of `finished_in`, if given)?"""
    query = select(_T.c.id).where(_T.c.conversation_id == conversation_id, _T.c.asked_at >= since)
    if finished_in is not None:
        query = query.where(_T.c.finished.in_(list(finished_in)))
    with transaction() as c:
        return c.execute(query.limit(1)).first() is not None


def record_ask(
    conversation_id: str,
    channel: str,
    finished: str,
    agent: Optional[str] = None,
    intent: Optional[str] = None,
    now: Optional[datetime] = None,
    state: str = ASKED,
) -> int:
    now = now or utcnow()
    with transaction() as c:
        result = c.execute(
            insert(_T).values(
                conversation_id=conversation_id,
                channel=channel,
                day=riyadh_day(now),
                asked_at=now,
                finished=finished[:40],
                agent=agent,
                intent=intent,
                state=state,
            )
        )
        return int(result.inserted_primary_key[0])


def open_ask(
    conversation_id: str, within: timedelta, now: Optional[datetime] = None, connection=None
):
    """The latest question to this conversation still open (asked or waiting for a
    comment) and asked within `within`, as a dict, or None. In the caller's transaction
    if one is given (the turn's, bot.services.console.turns)."""
    now = now or utcnow()
    if connection is None:
        with transaction() as c:
            return open_ask(conversation_id, within, now, c)
    row = (
        connection.execute(_OPEN_ASK, {"_conversation_id": conversation_id, "_since": now - within})
        .mappings()
        .first()
    )
    return dict(row) if row else None


# Read on every bot turn: built once (building costs more than running it).
_OPEN_ASK = (
    select(_T)
    .where(
        _T.c.conversation_id == bindparam("_conversation_id"), _T.c.asked_at >= bindparam("_since")
    )
    .order_by(_T.c.id.desc())
    .limit(1)
)


def ask_due(rating_id: int, now: Optional[datetime] = None) -> bool:
    """A due question is being asked now."""
    with transaction() as c:
        return (
            c.execute(
                update(_T)
                .where(_T.c.id == rating_id, _T.c.state == DUE)
                .values(state=ASKED, asked_at=now or utcnow())
            ).rowcount
            == 1
        )


def defer(rating_id: int) -> bool:
    """A question that could not reach the citizen is owed again (asked on the
    conversation's next bot turn)."""
    with transaction() as c:
        return (
            c.execute(
                update(_T).where(_T.c.id == rating_id, _T.c.state == ASKED).values(state=DUE)
            ).rowcount
            == 1
        )


def set_score(rating_id: int, score: int, now: Optional[datetime] = None) -> bool:
    if score not in SCORES:
        raise ValueError("score out of range")
    with transaction() as c:
        return (
            c.execute(
                update(_T)
                .where(_T.c.id == rating_id, _T.c.state == ASKED)
                .values(score=score, state=RATED, answered_at=now or utcnow())
            ).rowcount
            == 1
        )


def want_comment(rating_id: int) -> bool:
    with transaction() as c:
        return (
            c.execute(
                update(_T)
                .where(_T.c.id == rating_id, _T.c.state == RATED)
                .values(state=COMMENT, answered_at=utcnow())
            ).rowcount
            == 1
        )


def set_comment(rating_id: int, text: str) -> bool:
    with transaction() as c:
        return (
            c.execute(
                update(_T)
                .where(_T.c.id == rating_id, _T.c.state == COMMENT)
                .values(comment=mask_text(text)[:MAX_COMMENT], state=DONE)
            ).rowcount
            == 1
        )


def get(rating_id: int) -> Optional[Dict[str, Any]]:
    with transaction() as c:
        row = c.execute(select(_T).where(_T.c.id == rating_id)).mappings().first()
    return dict(row) if row else None
