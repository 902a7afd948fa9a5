"""Human handoff: the conversation's state, escalation, and what agents may do.

State lives in our database (bot/store/handoffs.py), not in Rasa's tracker:
session expiry and /restart un-pause a Rasa tracker, our rows do not change.

    bot ──escalate──▶ queued ──claim──▶ agent ──return_to_bot──▶ bot
                        │   ◀──release──  │
                        └──close / return─┴──close──▶ closed

Contract used by the channels' shared pipeline: `state_of(conversation_id)`
returns "bot", "queued" or "agent"; only "bot" lets a message reach Rasa. A
closed episode is history: the citizen's next message reaches the bot again
(action_handoff already stopped any form in progress when it escalated).

Every transition is one conditional UPDATE (`... WHERE id = :id AND state = :from ...`)
checked by its rowcount, in the same transaction as its audit entry, so it is
atomic on SQLite and PostgreSQL alike without reading first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.content import fact
from bot.nlu.arabic import normalize
from bot.privacy import mask, mask_text
from bot.store import audit, session_scope
from bot.store.conversations import channel_from_id
from bot.store.handoffs import AGENT, BOT, CLOSED, OPEN_STATES, QUEUED, Handoff, aware, utcnow

logger = logging.getLogger(__name__)

# Why a conversation was escalated; the desk shows the Arabic label.
REASONS: Dict[str, str] = {
    "requested": "طلب التحدث مع موظف",
    "fallback": "المساعد لم يفهم مرتين متتاليتين",
    "form_failed": "تعثّر في تعبئة البيانات",
    "support_stopped": "شكوى توقف الدعم",
    "case_for_person": "حالة تحتاج موظف",
}
DEFAULT_REASON = "requested"

# Slots that are the bot's own bookkeeping, not something the citizen told it.
_INTERNAL_SLOTS = {"requested_slot", "handoff_reason", "session_started_metadata", "faq_key"}
# Slot names whose values are personal numbers even when they do not look like one yet.
_SENSITIVE_SLOT_WORDS = ("id", "iban", "mobile", "phone", "jawal", "hawiya", "account")
# Form bookkeeping (confirmations, stages, failure counters): not what the citizen said.
_BOOKKEEPING_SUFFIXES = ("_confirm", "_stage", "_failures", "_submission_id", "_stop")
# Slot names whose values are secrets: never stored nor shown, not even masked.
_SECRET_SLOT_WORDS = ("otp", "password", "pin", "token", "secret")

RESUME_TEXT = (
    "رجعت لك 👋 الموظف حوّل المحادثة لي من جديد. "
    "إذا عندك سؤال ثاني عن حساب المواطن اكتبه وأنا أساعدك."
)
CLOSE_TEXT = (
    "شكرًا لتواصلك مع حساب المواطن 🌿 انتهت المحادثة مع الموظف. إذا احتجت شي ثاني اكتب لي في أي وقت."
)
CLAIM_TEXT = "انضم لك {agent} من خدمة العملاء 👤 تفضل، كيف أقدر أخدمك؟"

_REASON_PREFIX = {
    "fallback": "يبدو إني ما قدرت أفهم عليك، فبحوّلك لموظف يساعدك.",
    "form_failed": "واضح إن فيه صعوبة في تعبئة البيانات، فبحوّلك لموظف يساعدك.",
    "support_stopped": "آسف على توقف الدعم عنك 🙏 حالتك تحتاج موظف يراجع ملفك.",
    "case_for_person": "حالتك تحتاج موظف يراجعها.",
}


# ---------------------------------------------------------------- state


def state_of(conversation_id: str) -> str:
    """ "queued" or "agent" while a handoff is open, else "bot"."""
    with session_scope() as session:
        state = session.execute(
            select(Handoff.state)
            .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_STATES))
            .limit(1)
        ).scalar_one_or_none()
    return state or BOT


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


def mask_snapshot(slots: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Keep what the citizen told the bot, minus bookkeeping, with personal numbers masked."""
    result: Dict[str, Any] = {}
    for name, value in (slots or {}).items():
        if (
            name in _INTERNAL_SLOTS
            or name.endswith(_BOOKKEEPING_SUFFIXES)
            or value in (None, "", [], {})
            or _is_secret(name)
        ):
            continue
        result[name] = _mask_value(name, value)
    return result


def _words(name: str) -> List[str]:
    return name.lower().replace("-", "_").split("_")


def _is_secret(name: str) -> bool:
    return any(w in _SECRET_SLOT_WORDS for w in _words(name))


def _mask_value(name: str, value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        return value
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, (list, tuple)):
        return [_mask_value(name, v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    text = str(value)
    if any(w in _SENSITIVE_SLOT_WORDS for w in _words(name)) and any(ch.isdigit() for ch in text):
        return mask(text, 1, 2)
    return mask_text(text)


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
) -> bool:
    """One atomic state change: UPDATE handoffs SET ... WHERE id = :id AND <allowed>,
    checked by its rowcount, in the same transaction as its audit entry."""
    with session_scope() as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, allowed)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        audit.record(session, actor, action, "handoff", handoff_id, detail)
    return True


def _held_by(agent: str):
    return (Handoff.state == AGENT) & (Handoff.claimed_by == agent)


def _held_by_or_queued(agent: str):
    return _held_by(agent) | (Handoff.state == QUEUED)


def claim(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Give a queued conversation to one agent. False if someone else was first."""
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.claimed",
        {"state": AGENT, "claimed_by": agent, "claimed_at": now or utcnow()},
        Handoff.state == QUEUED,
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
}
LEFT_QUEUE_TEXT = (
    "ألغيت طلب التحويل للموظف ✅ رجعت لك، وش أقدر أخدمك فيه؟ ومتى ما احتجت موظف اكتب: أكلم موظف."
)
LEAVE_HINT = "وإذا تبي ترجع للمساعد الآلي بدل الانتظار، اكتب: إلغاء"


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


def release(handoff_id: int, agent: str) -> bool:
    """The claiming agent puts the conversation back in the queue."""
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.released",
        {"state": QUEUED, "claimed_by": None, "claimed_at": None},
        _held_by(agent),
    )


def return_to_bot(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """Hand the conversation back to the bot (by its agent, or from the queue by any agent)."""
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.returned_to_bot",
        {"state": BOT, "ended_at": now or utcnow(), "ended_by": agent},
        _held_by_or_queued(agent),
    )


def close(handoff_id: int, agent: str, now: Optional[datetime] = None) -> bool:
    """End the episode (by its agent, or from the queue by any agent)."""
    return _transition(
        handoff_id,
        f"agent:{agent}",
        "handoff.closed",
        {"state": CLOSED, "ended_at": now or utcnow(), "ended_by": agent},
        _held_by_or_queued(agent),
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
    return timedelta(minutes=float(os.environ.get("HANDOFF_ACK_MINUTES", "5")))


def _citizen_wrote(
    conversation_id: str, now: Optional[datetime] = None
) -> Tuple[bool, Optional[str]]:
    """Stamp the open episode; (was one open, acknowledgement for the citizen or None).

    A queued citizen hears nothing from the bot until an agent joins, so the first message
    after the escalation, and the first after a pause of HANDOFF_ACK_MINUTES (default 5),
    get a short "received, you are number N" - never every message."""
    now = now or utcnow()
    with session_scope() as session:
        row = session.execute(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_STATES))
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return False, None
        previous = aware(row.last_citizen_at)
        row.last_citizen_at = now
        if row.state != QUEUED or (previous is not None and now - previous < _ack_after()):
            return True, None
        position = _position(session, row)
    return True, queued_ack_text(position or 1, now)


def queued_ack_text(position: int, now: Optional[datetime] = None) -> str:
    if in_working_hours(now):
        first = (
            f"وصلت رسالتك ✅ أنت بانتظار موظف (دورك رقم {position})، وبيشوف كل رسائلك أول ما يدخل."
        )
    else:
        first = (
            f"وصلت رسالتك ✅ محفوظة للموظف، وبيرد عليك أول ما يبدأ الدوام "
            f"({fact('contact.working_hours')})."
        )
    return f"{first}\n{LEAVE_HINT}"


async def notify_citizen_message(
    conversation_id: str, text: str = "", message_id: Optional[int] = None
) -> Optional[str]:
    """Hook called by the channels' pipeline (channels/pipeline.py, `_handoff_gate`) for each
    citizen message that did not go to Rasa. The message itself is already in the
    transcript and the desk polls for it; this stamps the episode and returns the
    acknowledgement the pipeline sends the citizen, if one is due (`_citizen_wrote`)."""
    _, ack = await asyncio.to_thread(_citizen_wrote, conversation_id)
    return ack


# ---------------------------------------------------------------- reading


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


# ---------------------------------------------------------------- what the citizen is told


def _hours() -> tuple:
    override = os.environ.get("HANDOFF_HOURS", "").strip()  # e.g. "8-20"
    if override:
        opens, _, closes = override.partition("-")
        return int(opens), int(closes)
    return int(fact("contact.opens_hour")), int(fact("contact.closes_hour"))


def in_working_hours(now: Optional[datetime] = None) -> bool:
    """Agents work from opens_hour to closes_hour, Riyadh time (contact.* in program.yml)."""
    local = (now or utcnow()).astimezone(ZoneInfo(fact("contact.timezone")))
    opens, closes = _hours()
    return opens <= local.hour < closes


def _minutes_per_case() -> float:
    return float(os.environ.get("HANDOFF_MINUTES_PER_CASE", "4"))


def estimated_wait_minutes(position: int, now: Optional[datetime] = None) -> int:
    """Rough wait for the citizen at `position`: how long recent citizens waited for a
    claim (median of the last few hours), plus a few minutes per citizen ahead."""
    now = now or utcnow()
    per_case = _minutes_per_case()
    try:
        with session_scope() as session:
            rows = session.execute(
                select(Handoff.queued_at, Handoff.claimed_at)
                .where(
                    Handoff.claimed_at.is_not(None), Handoff.claimed_at >= now - timedelta(hours=3)
                )
                .order_by(Handoff.claimed_at.desc())
                .limit(20)
            ).all()
    except SQLAlchemyError as e:
        # The citizen is already queued; a rough estimate beats losing the whole reply.
        logger.warning("wait estimate without history: %s", type(e).__name__)
        rows = []
    waits = [(aware(c) - aware(q)).total_seconds() / 60 for q, c in rows]
    base = statistics.median(waits) if len(waits) >= 3 else per_case
    return max(1, math.ceil(base + per_case * max(0, position - 1)))


def wait_phrase(minutes: int) -> str:
    """Arabic for a rough duration, rounded up to 5 minutes."""
    if minutes <= 5:
        return "أقل من 5 دقائق"
    if minutes > 60:
        return "أكثر من ساعة"
    rounded = int(math.ceil(minutes / 5.0) * 5)
    if rounded == 60:
        return "حوالي ساعة"
    return f"حوالي {rounded} {'دقائق' if rounded <= 10 else 'دقيقة'}"


def escalation_message(view: HandoffView, now: Optional[datetime] = None) -> Dict[str, Any]:
    """What the bot tells the citizen when it hands over: {"text": ..., "buttons": [...]}."""
    now = now or utcnow()
    lines = []
    prefix = _REASON_PREFIX.get(view.reason)
    if prefix and view.created:
        lines.append(prefix)
    if view.state == AGENT:
        lines.append("أنت الحين مع موظف خدمة العملاء، اكتب له رسالتك هنا.")
    elif in_working_hours(now):
        minutes = estimated_wait_minutes(view.position or 1, now)
        lines.append("حوّلت محادثتك لموظف خدمة العملاء 👤 بينضم لك هنا في نفس المحادثة.")
        lines.append(f"وقت الانتظار المتوقع {wait_phrase(minutes)}.")
        lines.append("اكتب تفاصيل طلبك من الحين، وبيشوفها الموظف أول ما يدخل.")
        lines.append(f"وإذا مستعجل، الرقم الموحد {fact('contact.unified_number')} متاح لك.")
    else:
        lines.append(
            f"موظفينا متواجدين {fact('contact.working_hours')} بتوقيت الرياض، "
            "والحين خارج وقت الدوام 🌙"
        )
        lines.append("محادثتك محفوظة في قائمة الانتظار، وأول ما يبدأ الدوام بيرد عليك موظف هنا.")
        lines.append(
            'وإذا ما تبي تنتظر: تقدر ترفع طلبك في خدمة "صوتك مسموع" من بوابة حساب '
            "المواطن (تشتغل 24 ساعة)، أو تتصل على الرقم الموحد "
            f"{fact('contact.unified_number')}."
        )
    if view.state == QUEUED:
        lines.append(LEAVE_HINT)
    # No buttons: while the handoff is open nothing the citizen sends reaches the bot.
    return {"text": "\n".join(lines), "buttons": []}


def claim_message(agent_display_name: str) -> str:
    return CLAIM_TEXT.format(agent=agent_display_name or "موظف")
