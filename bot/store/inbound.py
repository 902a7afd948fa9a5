"""Webhook messages accepted but not yet answered (`inbound_pending`), so a worker that
dies mid-turn does not lose them (channels/replay.py runs them again).

Why a table of ours and not a Redis stream: the row is written where the transcript and
the tracker already live, so it survives a Redis restart or eviction, needs no consumer
group bookkeeping, and the erasure reaches it with one DELETE like every other table that
names a conversation. It costs one INSERT before the webhook's 200 and one DELETE after
the answer, made in the transaction that stores a bot turn's transcript (docs/benchmarks.md
"Durable inbound").

A row holds the citizen's unmasked text only while it is pending: it is deleted, not
flagged, once the turn is answered or given up. `claimed_at` is the lease: the owning
worker renews it while the turn runs; a row whose lease ran out belongs to a worker that
is gone and may be claimed by another (`claim`: a compare-and-set UPDATE per row, after a
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take the same row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, List, Optional, Tuple

from sqlalchemy import (
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store import transaction
from bot.store.base import Base, UTCDateTime, utcnow

INBOUND_PENDING = Table(
    "inbound_pending",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("dedup_key", String(160), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("conversation_id", String(128), nullable=False, index=True),
    Column("body", Text, nullable=False),  # JSON: the message and where to answer it
    Column("owner", String(120), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False, index=True),
    UniqueConstraint("dedup_key", name="uq_inbound_pending_key"),
)
T = INBOUND_PENDING


@dataclass
class Pending:
    id: int
    channel: str
    conversation_id: str
    body: str
    attempts: int  # including the one just claimed


def add(dedup_key: str, channel: str, conversation_id: str, body: str, owner: str) -> Optional[int]:
    """Record an accepted message; None if that key is already pending."""
    now = utcnow()
    try:
        with transaction() as conn:
            result = conn.execute(
                _ADD,
                {
                    "dedup_key": dedup_key,
                    "channel": channel,
                    "conversation_id": conversation_id,
                    "body": body,
                    "owner": owner,
                    "attempts": 1,
                    "created_at": now,
                    "claimed_at": now,
                },
            )
            return int(result.inserted_primary_key[0])
    except IntegrityError:
        return None


def remove(row_id: int, connection=None) -> None:
    """Forget an answered message; in the caller's transaction if one is given (the
    turn's transcript, so both are written or neither)."""
    if connection is None:
        with transaction() as conn:
            conn.execute(_REMOVE, {"_id": row_id})
    else:
        connection.execute(_REMOVE, {"_id": row_id})


# Written on every webhook and REST message: built once (building a Core statement costs
# more than SQLite takes to run it).
_ADD = T.insert()
_REMOVE = delete(T).where(T.c.id == bindparam("_id"))


def renew(owner: str, row_ids: Iterable[int]) -> int:
    """Extend the lease of rows this worker is still working on."""
    ids = list(row_ids)
    if not ids:
        return 0
    with transaction() as conn:
        return conn.execute(
            update(T).where(T.c.owner == owner, T.c.id.in_(ids)).values(claimed_at=utcnow())
        ).rowcount


def claim(owner: str, lease_seconds: float, limit: int = 20) -> List[Pending]:
    """Take over rows whose lease ran out (their worker is gone)."""
    cutoff = utcnow() - timedelta(seconds=lease_seconds)
    claimed: List[Pending] = []
    with transaction() as conn:
        candidates = select(T.c.id).where(T.c.claimed_at < cutoff).order_by(T.c.id).limit(limit)
        if conn.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        rows = conn.execute(candidates).scalars().all()
        now = utcnow()
        for row_id in rows:
            # Compare-and-set: on SQLite (no SKIP LOCKED) a second worker that read the
            # same candidate finds the lease renewed and updates nothing.
            taken = conn.execute(
                update(T)
                .where(T.c.id == row_id, T.c.claimed_at < cutoff)
                .values(owner=owner, claimed_at=now, attempts=T.c.attempts + 1)
            ).rowcount
            if taken:
                claimed.append(row_id)
        if not claimed:
            return []
        found = conn.execute(
            select(T.c.id, T.c.channel, T.c.conversation_id, T.c.body, T.c.attempts)
            .where(T.c.id.in_(claimed))
            .order_by(T.c.id)
        ).all()
    return [Pending(*row) for row in found]


def take(dedup_key: str, owner: str, lease_seconds: float) -> Tuple[bool, Optional[Pending]]:
    """The pending row of one message, for a client that sent it again: (False, None) if
    none is pending; (True, None) if its worker still holds it; (True, row) if its lease
    ran out and this worker took it over (the same compare-and-set as `claim`)."""
    cutoff = utcnow() - timedelta(seconds=lease_seconds)
    with transaction() as conn:
        row_id = conn.execute(select(T.c.id).where(T.c.dedup_key == dedup_key)).scalar()
        if row_id is None:
            return False, None
        taken = conn.execute(
            update(T)
            .where(T.c.id == row_id, T.c.claimed_at < cutoff)
            .values(owner=owner, claimed_at=utcnow(), attempts=T.c.attempts + 1)
        ).rowcount
        if not taken:
            return True, None
        found = conn.execute(
            select(T.c.id, T.c.channel, T.c.conversation_id, T.c.body, T.c.attempts).where(
                T.c.id == row_id
            )
        ).one()
    return True, Pending(*found)


def count() -> int:
    with transaction() as conn:
        return conn.execute(select(func.count()).select_from(T)).scalar_one()
