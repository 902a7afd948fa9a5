"""State transitions of a handoff episode, each one conditional UPDATE checked by its
rowcount in the same transaction as its audit entry (see the package's docstring). A
change of who holds the episode also begins or ends an agent's part (parts.py) in that
transaction."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot import settings
from bot.masking import mask_text
from bot.nlu.arabic import normalize
from bot.services.handoff import events, parts
from bot.services.handoff.masking import mask_snapshot
from bot.services.handoff.records import HandoffView, _position, get, open_for
from bot.services.handoff.wording import DEFAULT_REASON, REASONS, leave_button, queued_ack_text
from bot.services.language import conversation_language
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.conversations import channel_from_id
from bot.store.handoffs import (
    AGENT,
    BOT,
    CLAIMED,
    CLOSED,
    OPEN_STATES,
    QUEUED,
    RELEASED,
    RETURNED,
    TRANSFERRED,
    Handoff,
    aware,
)


def escalate(
    conversation_id: str,
    reason: str = DEFAULT_REASON,
    channel: Optional[str] = None,
    snapshot: Optional[Dict[str, Any]] = None,
    detail: Optional[str] = None,
    actor: str = "bot",
    now: Optional[datetime] = None,
    _retry: bool = True,
) -> HandoffView:
    """Queue the conversation for an agent; idempotent while one is already open.

    `snapshot` is the bot's slot values at escalation time; personal numbers are
    masked before they are stored. Returns the open episode with its queue position
    (`created` tells whether this call opened it).
    """
    now = now or utcnow()
    reason = reason if reason in REASONS else "case_for_person"
    channel = channel or channel_from_id(conversation_id)
    new_id: Optional[int] = None
    try:
        with session_scope() as session:
            row = Handoff(
                conversation_id=conversation_id,
                channel=channel[:32],
                state=QUEUED,
                reason=reason,
                reason_detail=(detail or None) and detail[:200],
                snapshot=json.dumps(mask_snapshot(snapshot), ensure_ascii=False),
                queued_at=now,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                "handoff.escalated",
                "handoff",
                row.id,
                {
                    "conversation": _conversation_ref(conversation_id),
                    "channel": channel,
                    "reason": reason,
                },
            )
            new_id = row.id
    except IntegrityError:
        # An episode is already open for this conversation (partial unique index).
        pass
    if new_id is not None:
        events.emit("escalated", new_id)
    view = open_for(conversation_id) if new_id is None else get(new_id)
    if view is None:
        if not _retry:
            raise RuntimeError(f"could not open a handoff for {_conversation_ref(conversation_id)}")
        # The open episode ended between our insert attempt and the read: try once more.
        return escalate(conversation_id, reason, channel, snapshot, detail, actor, now, False)
    view.created = new_id is not None
    return view


def _conversation_ref(conversation_id: str) -> str:
    # WhatsApp sender ids are phone numbers: never write them to the audit log in clear.
    return mask_text(conversation_id)


def _transition(
    handoff_id: int,
    actor: str,
    action: str,
    values: Dict[str, Any],
    allowed,
    detail: Optional[Dict[str, Any]] = None,
    then: Optional[Callable[[Any], None]] = None,
) -> bool:
    """One atomic state change: UPDATE handoffs SET ... WHERE id = :id AND <allowed>,
    checked by its rowcount, in the same transaction as its audit entry and `then`
    (what the change does to the agents' parts)."""
    with session_scope() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, allowed)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        if then is not None:
            then(session)
        audit.record(session, actor, action, "handoff", handoff_id, detail)
    events.emit(action.rsplit(".", 1)[-1], handoff_id)
    return True


def _held_by(agent: str):
    return (Handoff.state == AGENT) & (Handoff.claimed_by == agent)


def _held_by_or_queued(agent: str):
    return _held_by(agent) | (Handoff.state == QUEUED)


def claim(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Give a queued conversation to one agent. False if someone else was first."""
    now = now or utcnow()
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.claimed",
        {"state": AGENT, "claimed_by": agent, "claimed_at": now},
        Handoff.state == QUEUED,
        then=lambda s: parts.begin(s, handoff_id, agent, CLAIMED, now),
    )


# What a waiting citizen types to stop waiting and talk to the bot again. Only while
# queued: once an agent has the conversation, the agent ends it.
_LEAVE_PHRASES = {
    "الغاء",
    "الغ",
    "الغي",
    "الغاء التحويل",
    "الغ التحويل",
    "رجوع",
    "ارجع",
    "رجعني",
    "رجعني للمساعد",
    "رجعني للبوت",
    "ارجع للمساعد",
    "ارجع للبوت",
    "ما ابي موظف",
    "مابي موظف",
    "خلاص ما ابي موظف",
    "cancel",
    "back",
    "go back",
    "stop waiting",
    "never mind",
}

_LEAVE_NORMALISED = frozenset(normalize(p) for p in _LEAVE_PHRASES)


def wants_to_leave_queue(text: str) -> bool:
    words = normalize(text or "").replace("/", " ").split()
    return " ".join(w for w in words if w.isalnum()) in _LEAVE_NORMALISED


def leave_queue(conversation_id: str, now: Optional[datetime] = None) -> bool:
    """The citizen stops waiting; False if no agent-free episode was open (e.g. just claimed)."""
    view = open_for(conversation_id)
    if view is None or view.state != QUEUED:
        return False
    return _transition(
        view.id,
        "citizen",
        "handoff.left_queue",
        {"state": BOT, "ended_at": now or utcnow(), "ended_by": "citizen"},
        Handoff.state == QUEUED,
    )


def release(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """The claiming agent puts the conversation back in the queue."""
    now = now or utcnow()
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.released",
        {"state": QUEUED, "claimed_by": None, "claimed_at": None},
        _held_by(agent),
        then=lambda s: parts.end(s, handoff_id, RELEASED, now),
    )


def return_to_bot(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Hand the conversation back to the bot (by its agent, or from the queue by any agent)."""
    now = now or utcnow()
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.returned_to_bot",
        {"state": BOT, "ended_at": now, "ended_by": agent},
        _held_by_or_queued(agent),
        then=lambda s: parts.end(s, handoff_id, RETURNED, now),
    )


def close(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """End the episode (by its agent, or from the queue by any agent)."""
    now = now or utcnow()
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.closed",
        {"state": CLOSED, "ended_at": now, "ended_by": agent},
        _held_by_or_queued(agent),
        then=lambda s: parts.end(s, handoff_id, CLOSED, now),
    )


def transfer(handoff_id: int, agent: str, to_agent: str, now: Optional[datetime] = None) -> bool:
    """The holding agent passes the conversation to another agent, who holds it at once
    (no trip through the queue). The desk checks that `to_agent` is an active account."""
    if not to_agent or to_agent == agent:
        return False
    now = now or utcnow()

    def hand_over(session) -> None:
        parts.end(session, handoff_id, TRANSFERRED, now)
        parts.begin(session, handoff_id, to_agent, TRANSFERRED, now)

    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.transferred",
        {"claimed_by": to_agent[:80], "claimed_at": now},
        _held_by(agent),
        {"to": to_agent},
        then=hand_over,
    )


def authorise_reply(
    handoff_id: int,
    agent: str,
    chars: int,
    canned: Optional[str] = None,
    now: Optional[datetime] = None,
) -> bool:
    """Only the agent who holds the conversation may write to the citizen."""
    detail = {"chars": chars}
    if canned:
        detail["canned"] = canned
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.replied",
        {"last_agent_at": now or utcnow()},
        _held_by(agent),
        detail,
    )


def record_ticket(handoff_id: int, agent: str, ticket_ref: str) -> bool:
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.ticket_opened",
        {"ticket_ref": str(ticket_ref)[:64]},
        _held_by(agent),
        {"ticket": str(ticket_ref)},
    )


def record_view(handoff_id: int, agent: str) -> None:
    """An agent opened a conversation (it shows personal data, masked or not)."""
    with session_scope() as session:
        audit.record(session, f"agent:{agent}", "handoff.viewed", "handoff", handoff_id)


def stamp_citizen_message(conversation_id: str, now: Optional[datetime] = None) -> bool:
    """Note that the citizen wrote while a handoff is open (the desk flags it as unread).
    Returns True if a handoff was open."""
    return _citizen_wrote(conversation_id, now)[0]


def _ack_after() -> timedelta:
    return timedelta(minutes=settings.get().handoff_ack_minutes)


def _citizen_wrote(
    conversation_id: str, now: Optional[datetime] = None, text: Optional[str] = None
) -> Tuple[bool, Optional[str]]:
    """Stamp the open episode; (was one open, acknowledgement for the citizen or None).

    A queued citizen hears nothing from the bot until an agent joins, so the first message
    after the escalation, and the first after a pause of HANDOFF_ACK_MINUTES (default 5),
    get a short "received, you are number N" - never every message."""
    now = now or utcnow()
    ack: Optional[str] = None
    position: Optional[int] = None
    with session_scope() as session:
        row = session.execute(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_STATES))
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return False, None
        handoff_id = row.id
        previous = aware(row.last_citizen_at)
        row.last_citizen_at = now
        if row.state == QUEUED and (previous is None or now - previous >= _ack_after()):
            position = _position(session, row) or 1
    if position is not None:
        # Outside the session: the language may be read from the transcript.
        ack = queued_ack_text(position, now, conversation_language(conversation_id, text))
    events.emit("message", handoff_id)
    return True, ack


async def notify_citizen_message(
    conversation_id: str, text: str = "", message_id: Optional[int] = None
) -> Optional[Dict[str, Any]]:
    """Hook called by the channels' pipeline (channels/pipeline.py, `_handoff_gate`) for each
    citizen message that did not go to Rasa. The message itself is already in the
    transcript and the desk polls for it; this stamps the episode and returns the
    acknowledgement the pipeline sends the citizen ({"text", "buttons"}: the way out of
    the queue), if one is due (`_citizen_wrote`)."""
    _, ack = await asyncio.to_thread(_citizen_wrote, conversation_id, None, text)
    if not ack:
        return None
    lang = await asyncio.to_thread(conversation_language, conversation_id, text)
    return {"text": ack, "buttons": [leave_button(lang)]}
