"""The sender's bookkeeping on the outbox table: claim, mark, retry, fall back, audit.

Exactly once, and how:
- A change enqueues one row (unique idempotency key per change, same transaction).
- A sender claims rows with a lease (a conditional UPDATE, with SKIP LOCKED on
  PostgreSQL), so two senders never hold the same row.
- Sent is recorded as soon as the channel accepts; if the database is down at that
  moment, the sender keeps the outcome and retries the mark until it can write
  (channels/notify/sender.py), never the delivery.
- A row still "sending" after its lease ran out belongs to a sender that died. Where the
  channel can be asked again safely it is delivered again: SMS carries the same message
  id (the gateway's idempotency key, and the outbox row tells whether it already went),
  and the widget's message is written together with its mark. Telegram and WhatsApp have
  no such key: the row becomes "unconfirmed", audited and listed in the back office, and
  is never resent on its own (`notifications resend` after a look).
- A channel that says "not yet" (an SMS budget spent for this mobile, bot.services.sms.budget)
  defers the row to the moment it allows one more; that wait is not an attempt, so the
  row goes out once the budget allows, on the same channel (`mark_deferred`).
- A failed attempt waits NOTIFY_BACKOFF_SECONDS, doubling each time up to
  NOTIFY_BACKOFF_MAX_SECONDS; after NOTIFY_MAX_ATTEMPTS on one channel (or at once, for an
  error retrying cannot fix) the next channel of the row's plan is tried; after the last
  one the row is "failed", with an audit entry.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from sqlalchemy import and_, func, or_, select, update

from bot import settings
from bot.services.notifications import optout
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.notifications import Notification

# Channels where a second delivery of an in-doubt row cannot reach the citizen twice.
RETRY_SAFE = ("sms", "web")


@dataclass
class Claim:
    id: int
    key: str
    channel: str
    channel_index: int
    attempt: int
    body: str
    subject_type: str
    subject_number: str
    status: str
    conversation_id: Optional[str]
    mobile: Optional[str]
    in_doubt: bool  # a previous sender died holding it


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _due(now: datetime):
    return or_(
        and_(Notification.state == "pending", Notification.next_attempt_at <= now),
        and_(Notification.state == "sending", Notification.lease_until < now),
    )


def _claim_of(row: Notification, in_doubt: bool) -> Claim:
    plan = row.channels.split(",")
    return Claim(
        row.id,
        row.idempotency_key,
        plan[row.channel_index],
        row.channel_index,
        row.attempts,
        row.body,
        row.subject_type,
        row.subject_number,
        row.status,
        row.conversation_id,
        row.mobile,
        in_doubt,
    )


def claim(
    holder: str, limit: int = 20, now: Optional[datetime] = None, lease: Optional[float] = None
) -> List[Claim]:
    """Take up to `limit` due rows for `holder` (one transaction)."""
    now = now or utcnow()
    lease = settings.get().notify_lease_seconds if lease is None else lease
    claims: List[Claim] = []
    with session_scope() as session:
        rows = (
            session.execute(
                select(Notification)
                .where(_due(now))
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        for row in rows:
            in_doubt = row.state == "sending"
            if optout.opted_out(session, row.conversation_id, row.mobile):
                row.state, row.last_error, row.lease_holder = "skipped", "opted_out", None
                continue
            won = session.execute(
                update(Notification)
                .where(Notification.id == row.id, _due(now))
                .values(
                    state="sending",
                    lease_holder=holder,
                    lease_until=now + timedelta(seconds=lease),
                    attempts=Notification.attempts + (0 if in_doubt else 1),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                session.refresh(row)
                claims.append(_claim_of(row, in_doubt))
    return claims


def _held(session, claim_: Claim, holder: str) -> Optional[Notification]:
    return session.execute(
        select(Notification)
        .where(
            Notification.id == claim_.id,
            Notification.state == "sending",
            Notification.lease_holder == holder,
        )
        .with_for_update()
    ).scalar_one_or_none()


def mark_sent(
    claim_: Claim, holder: str, channel_message_id: Optional[str] = None, session=None
) -> bool:
    """Record the delivery. False if the row is no longer this holder's (lease lost)."""
    if session is None:
        with session_scope() as own:
            return mark_sent(claim_, holder, channel_message_id, own)
    row = _held(session, claim_, holder)
    if row is None:
        return False
    now = utcnow()
    row.state, row.sent_channel, row.sent_at = "sent", claim_.channel, now
    row.channel_message_id = (channel_message_id or "")[:128] or None
    row.lease_holder, row.lease_until, row.last_error = None, None, None
    return True


def backoff(attempt: int, now: Optional[datetime] = None) -> datetime:
    cfg = settings.get()
    delay = min(
        cfg.notify_backoff_max_seconds, cfg.notify_backoff_seconds * 2 ** max(0, attempt - 1)
    )
    return (now or utcnow()) + timedelta(seconds=delay * random.uniform(0.8, 1.2))


def mark_failed(claim_: Claim, holder: str, error: str, permanent: bool = False) -> str:
    """A failed attempt: retry later, try the next channel, or give up. Returns the state."""
    with session_scope() as session:
        row = _held(session, claim_, holder)
        if row is None:
            return "lost"
        row.last_error = f"{claim_.channel}:{error}"[:200]
        row.lease_holder, row.lease_until = None, None
        plan = row.channels.split(",")
        if not permanent and row.attempts < settings.get().notify_max_attempts:
            row.state, row.next_attempt_at = "pending", backoff(row.attempts)
            return row.state
        if row.channel_index + 1 < len(plan):
            audit.record(
                session,
                "notifier",
                "notification.fallback",
                "notification",
                row.id,
                {"from": claim_.channel, "to": plan[row.channel_index + 1], "error": error},
            )
            row.channel_index += 1
            row.attempts, row.state, row.next_attempt_at = 0, "pending", utcnow()
            return row.state
        row.state = "failed"
        audit.record(
            session,
            "notifier",
            "notification.failed",
            "notification",
            row.id,
            {"subject": f"{row.subject_type}:{row.subject_number}", "error": row.last_error},
        )
        return row.state


def mark_deferred(claim_: Claim, holder: str, reason: str, until: datetime) -> str:
    """The channel cannot take it before `until` (a budget): pending again from then, on
    the same channel, the attempt given back. Returns the state ("lost": lease lost)."""
    with session_scope() as session:
        row = _held(session, claim_, holder)
        if row is None:
            return "lost"
        row.state, row.next_attempt_at = "pending", max(until, utcnow())
        row.attempts = max(0, row.attempts - 1)
        row.last_error = f"{claim_.channel}:{reason}"[:200]
        row.lease_holder, row.lease_until = None, None
        return row.state


def mark_unconfirmed(claim_: Claim, holder: str) -> bool:
    """A row a dead sender handed to a channel that cannot say whether it arrived."""
    with session_scope() as session:
        row = _held(session, claim_, holder)
        if row is None:
            return False
        row.state, row.last_error = "unconfirmed", f"{claim_.channel}:sender_died"
        row.lease_holder, row.lease_until = None, None
        audit.record(
            session,
            "notifier",
            "notification.unconfirmed",
            "notification",
            row.id,
            {"subject": f"{row.subject_type}:{row.subject_number}", "channel": claim_.channel},
        )
        return True


def resend(notification_id: int, actor: str = "backoffice") -> Notification:
    """Staff send a failed or unconfirmed notification again, from its first channel."""
    with session_scope() as session:
        row = session.get(Notification, notification_id)
        if row is None:
            raise LookupError(f"no notification {notification_id}")
        if row.state not in ("failed", "unconfirmed"):
            raise ValueError(
                f"notification {notification_id} is {row.state}, not failed/unconfirmed"
            )
        before = row.state
        row.state, row.channel_index, row.attempts = "pending", 0, 0
        row.next_attempt_at, row.last_error = utcnow(), None
        audit.record(
            session, actor, "notification.resent", "notification", row.id, {"from": before}
        )
        session.flush()
        return row


def list_notifications(
    state: Optional[str] = None, limit: int = 50, subject: Optional[str] = None
) -> List[Notification]:
    with session_scope() as session:
        query = select(Notification).order_by(Notification.id.desc()).limit(limit)
        if state:
            query = query.where(Notification.state == state)
        if subject:
            query = query.where(Notification.subject_number == subject)
        return list(session.execute(query).scalars().all())


def counts() -> Dict[str, int]:
    with session_scope() as session:
        rows = session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        ).all()
    return {state: n for state, n in rows}


def deliver_web(claim_: Claim, holder: str, text: Optional[str] = None) -> Optional[int]:
    """The widget's delivery: the message joins the conversation's transcript (the widget
    shows it at the next visit, and live if connected) in the same transaction as the
    mark, so it is there exactly once. Returns the transcript message id (None: lease lost)."""
    from bot.store.conversations import TranscriptMessage

    with session_scope() as session:
        if _held(session, claim_, holder) is None:
            return None
        message = TranscriptMessage(
            conversation_id=claim_.conversation_id,
            at=utcnow(),
            author="system",
            text=text or claim_.body,
        )
        session.add(message)
        session.flush()
        mark_sent(claim_, holder, f"transcript:{message.id}", session)
        return message.id
