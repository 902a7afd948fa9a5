"""Web chat sessions ended by an erasure (`revoked_web_sessions`).

A widget's session token is signed, not stored (channels/web/channel.py): nothing on the
server could forget it, so after `erase` the old token would reconnect to the same
conversation id and new messages would be filed under it again. An erasure records the
conversation here, in the database every worker shares, and the widget's hello and each of
its messages look it up; the citizen's widget then starts a new session.

Only a SHA-256 of the conversation id is kept (the id itself is erased; it is a random
144-bit session id, so the hash cannot be turned back into it), with the time of the
erasure. A row outlives every token it can refuse after WEBCHAT_SESSION_DAYS (a token
older than that is refused anyway): each erasure deletes the rows past that age.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Iterable, Optional

from sqlalchemy import Column, String, Table, delete, insert, select
from sqlalchemy.engine import Connection

from bot import settings
from bot.store import transaction
from bot.store.base import Base, UTCDateTime, utcnow

REVOKED = Table(
    "revoked_web_sessions",
    Base.metadata,
    Column("conversation_hash", String(64), primary_key=True),
    Column("revoked_at", UTCDateTime, nullable=False, index=True),
)
WEB_PREFIX = "web:"


def _hash(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()


def revoke(
    connection: Connection, conversation_ids: Iterable[str], now: Optional[datetime] = None
) -> int:
    """End the web sessions among these conversations, in the caller's transaction (the
    erasure's: a rolled back dry run revokes nothing). Returns how many were not yet."""
    now = now or utcnow()
    lifetime = timedelta(days=max(0, settings.get().webchat_session_days))
    connection.execute(delete(REVOKED).where(REVOKED.c.revoked_at < now - lifetime))
    wanted = {_hash(c) for c in conversation_ids if c.startswith(WEB_PREFIX)}
    if not wanted:
        return 0
    known = set(
        connection.execute(
            select(REVOKED.c.conversation_hash).where(REVOKED.c.conversation_hash.in_(wanted))
        ).scalars()
    )
    fresh = sorted(wanted - known)
    if fresh:
        connection.execute(
            insert(REVOKED), [{"conversation_hash": h, "revoked_at": now} for h in fresh]
        )
    return len(fresh)


def revoked(conversation_id: str) -> bool:
    """Was this conversation erased? (One primary-key look-up.)"""
    with transaction() as connection:
        found = connection.execute(
            select(REVOKED.c.conversation_hash).where(
                REVOKED.c.conversation_hash == _hash(conversation_id)
            )
        ).first()
    return found is not None
