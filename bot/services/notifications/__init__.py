"""Citizens hear back when staff change their ticket's status or decide their objection.

`enqueue_*` run inside the transaction that makes the change (bot.services.tickets.records,
bot.services.objections), so the change and its notification commit together or not at
all (a transactional outbox). The sender (`python -m channels.notify.sender`) delivers them:
bot/services/notifications/outbox.py holds its bookkeeping (claims, retries with backoff,
next channel, exactly once), channels/notify/delivery.py the channels.

A notification is written in the language of the conversation it goes to (the citizen's
latest message there that says one: bot.services.language), Arabic without one; its SMS
fallback carries the same text.

Which channels, in order: the chat the citizen used (the ticket's conversation; for an
objection, the latest conversation that proved ownership with a one-time code), then SMS
to the mobile on the case. A conversation of the REST channel cannot be pushed to: SMS
only. An objection created by staff with only a mobile: SMS only.
"""

from __future__ import annotations

import hashlib
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.language import conversation_language
from bot.services.notifications import optout, texts
from bot.store.conversations import Conversation
from bot.store.notifications import Notification
from bot.store.otp import OtpChallenge

CHAT_CHANNELS = ("telegram", "whatsapp", "web")
OBJECTION_PURPOSE = "objection_status"  # bot.services.objections.OTP_PURPOSE


def change_key(subject_type: str, number: str, change_id: object) -> str:
    """One key per change (the change's audit entry id): the same change enqueued twice,
    e.g. a retried transaction, is one notification."""
    return hashlib.sha256(f"{subject_type}\x1f{number}\x1f{change_id}".encode()).hexdigest()


def _chat_channel(session: Session, conversation_id: Optional[str]) -> Optional[str]:
    if not conversation_id:
        return None
    channel = session.execute(
        select(Conversation.channel).where(Conversation.conversation_id == conversation_id)
    ).scalar_one_or_none()
    return channel if channel in CHAT_CHANNELS else None


def plan(session: Session, conversation_id: Optional[str], mobile: Optional[str]) -> List[str]:
    channels = []
    chat = _chat_channel(session, conversation_id)
    if chat:
        channels.append(chat)
    if mobile:
        channels.append("sms")
    return channels


def _enqueue(
    session: Session,
    subject_type: str,
    number: str,
    status: str,
    body: str,
    change_id: object,
    conversation_id: Optional[str],
    mobile: Optional[str],
) -> Optional[Notification]:
    key = change_key(subject_type, number, change_id)
    if session.execute(select(Notification.id).where(Notification.idempotency_key == key)).first():
        return None
    channels = plan(session, conversation_id, mobile)
    if not channels:
        return None  # nowhere to reach (an anonymised case): nothing to send
    stopped = optout.opted_out(session, conversation_id, mobile)
    row = Notification(
        idempotency_key=key,
        subject_type=subject_type,
        subject_number=number,
        status=status,
        body=body,
        conversation_id=conversation_id if channels[0] in CHAT_CHANNELS else None,
        mobile=mobile or None,
        channels=",".join(channels),
        channel_index=0,
        attempts=0,
        state="skipped" if stopped else "pending",
        last_error="opted_out" if stopped else None,
    )
    session.add(row)
    return row


def enqueue_ticket_change(session: Session, ticket, change_id: object) -> Optional[Notification]:
    """In the caller's transaction: tell the ticket's owner its new status."""
    lang = conversation_language(ticket.conversation_id)
    return _enqueue(
        session,
        "ticket",
        ticket.number,
        ticket.status,
        texts.ticket_text(ticket.number, ticket.status, lang),
        change_id,
        ticket.conversation_id,
        ticket.mobile,
    )


def objection_conversation(session: Session, number: str) -> Optional[str]:
    """The latest conversation that proved it owns this objection (one-time code)."""
    return session.execute(
        select(OtpChallenge.conversation_id)
        .where(
            OtpChallenge.purpose == OBJECTION_PURPOSE,
            OtpChallenge.subject == number,
            OtpChallenge.verified_at.is_not(None),
        )
        .order_by(OtpChallenge.verified_at.desc(), OtpChallenge.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def enqueue_objection_change(
    session: Session, objection, change_id: object
) -> Optional[Notification]:
    """In the caller's transaction: tell the objection's owner its new status."""
    conversation_id = objection_conversation(session, objection.number)
    lang = conversation_language(conversation_id)
    return _enqueue(
        session,
        "objection",
        objection.number,
        objection.status,
        texts.objection_text(objection.number, objection.status, lang),
        change_id,
        conversation_id,
        objection.mobile,
    )
