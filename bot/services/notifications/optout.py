"""Citizens who asked for no more notifications ("إيقاف التنبيهات"), and back on.

Stored per conversation (the citizen wrote it there) or per mobile (staff recorded it,
e.g. for someone reached only by SMS). A notification for an opted-out conversation or
mobile is not sent on any channel; it stays in the history as "skipped"."""

from __future__ import annotations

from typing import Iterable, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.masking import mask, mask_mobile
from bot.services.verification.validators import parse_mobile
from bot.store import audit, session_scope
from bot.store.notifications import NotificationOptOut


def target_of(conversation_id: Optional[str] = None, mobile: Optional[str] = None) -> str:
    if conversation_id:
        return f"conversation:{conversation_id}"
    parsed = parse_mobile(mobile or "")
    if not parsed.ok:
        raise ValueError("not a Saudi mobile number")
    return f"mobile:{parsed.value}"


def _shown(target: str) -> str:
    kind, _, value = target.partition(":")
    if kind == "mobile":
        return f"mobile:{mask_mobile(value)}"
    channel, sep, rest = value.partition(":")
    return (
        f"conversation:{channel}:{mask(rest, 1, 2)}" if sep else f"conversation:{mask(value, 1, 2)}"
    )


def stop(
    conversation_id: Optional[str] = None, mobile: Optional[str] = None, source: str = "citizen"
) -> bool:
    """Record the opt-out. True if it is new (False: it was already there)."""
    target = target_of(conversation_id, mobile)
    try:
        with session_scope() as session:
            if _exists(session, [target]):
                return False
            session.add(NotificationOptOut(target=target, source=source[:80]))
            audit.record(session, source, "notifications.stopped", "optout", _shown(target))
        return True
    except IntegrityError:  # the same request twice at once
        return False


def resume(
    conversation_id: Optional[str] = None, mobile: Optional[str] = None, source: str = "citizen"
) -> bool:
    """Remove the opt-out. True if there was one."""
    target = target_of(conversation_id, mobile)
    with session_scope() as session:
        removed = session.execute(
            delete(NotificationOptOut).where(NotificationOptOut.target == target)
        ).rowcount
        if removed:
            audit.record(session, source, "notifications.resumed", "optout", _shown(target))
    return bool(removed)


def _exists(session: Session, targets: Iterable[str]) -> bool:
    targets = [t for t in targets if t]
    if not targets:
        return False
    return (
        session.execute(
            select(NotificationOptOut.id).where(NotificationOptOut.target.in_(targets)).limit(1)
        ).first()
        is not None
    )


def opted_out(
    session: Session, conversation_id: Optional[str] = None, mobile: Optional[str] = None
) -> bool:
    """In the caller's transaction: has this conversation or mobile stopped notifications?"""
    targets = []
    if conversation_id:
        targets.append(f"conversation:{conversation_id}")
    if mobile:
        targets.append(f"mobile:{mobile}")
    return _exists(session, targets)


def is_stopped(conversation_id: Optional[str] = None, mobile: Optional[str] = None) -> bool:
    with session_scope() as session:
        return opted_out(session, conversation_id, mobile)


def list_optouts(limit: int = 100) -> List[dict]:
    """For staff: who stopped notifications, masked, newest first."""
    with session_scope() as session:
        rows = (
            session.execute(
                select(NotificationOptOut).order_by(NotificationOptOut.id.desc()).limit(limit)
            )
            .scalars()
            .all()
        )
        return [
            {"target": _shown(r.target), "source": r.source, "since": r.created_at} for r in rows
        ]
