"""One analytics row per bot turn (`bot_turns`): what the assistant understood, what it
did, and how long the citizen waited. The supervisors' console aggregates these rows
with SQL (bot.services.console.stats); nothing reads Rasa's trackers for it.

Two halves meet here, in the same Rasa worker and within the same turn:
- the tracker store, when it saves a turn's new events, calls `note_events` with the
  rows it writes (intent, confidence, actions run, forms started or ended, the
  question a form asked) and the form still active;
- the channel pipeline, when Rasa has answered, calls `record_turn` with the channel
  and the latency the citizen saw; that writes the row, with what `note_events` left.

`day` is the Riyadh calendar day (UTC+3, no daylight saving) as days since 1970-01-01
and `ts` the Unix time in seconds: integers compare and subtract the same way on SQLite
and PostgreSQL, so "within 24 hours" is `ts <= other.ts + 86400` on both.
`text` is the citizen's message masked (bot.masking.mask_text), for the review queue.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    select,
    update,
)

from bot.masking import mask_text
from bot.store import transaction
from bot.store.base import Base

RIYADH_OFFSET = 3 * 3600
DAY = 86400
MAX_TEXT = 500
REPEAT_SECONDS = 600

# What the console counts as the bot not understanding, handing over, or finishing
# something for the citizen (the action that ends each flow; see domain/*.yml).
FALLBACK_INTENTS = {"nlu_fallback"}
FALLBACK_ACTIONS = {
    "action_fallback",
    "action_fallback_escalate",
    "action_default_fallback",
    "action_two_stage_fallback",
}
HANDOFF_ACTIONS = {"action_handoff", "action_fallback_escalate"}
FINISHERS = {
    "action_submit_ticket": ("ticket", "ticket_form"),
    "action_elig_result": ("precheck", "eligibility_form"),
    "action_objection_status": ("objection", "objection_form"),
    "action_ticket_status": ("ticket_status", "ticket_status_form"),
}
STARTED, COMPLETED, CANCELLED = "started", "completed", "cancelled"


class BotTurn(Base):
    __tablename__ = "bot_turns"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(20), nullable=False)
    day = Column(Integer, nullable=False)  # Riyadh day number
    ts = Column(BigInteger, nullable=False)  # Unix seconds
    text = Column(Text, nullable=True)  # masked
    intent = Column(String(120), nullable=True)  # "faq/<key>" for FAQ answers
    confidence = Column(Float, nullable=True)
    fallback = Column(Boolean, nullable=False, default=False)
    handoff = Column(Boolean, nullable=False, default=False)
    form = Column(String(60), nullable=True)
    form_event = Column(String(12), nullable=True)  # started | completed | cancelled
    requested_slot = Column(String(60), nullable=True)
    finished = Column(String(40), nullable=True)  # ticket | precheck | objection | ...
    latency_ms = Column(Integer, nullable=True)
    failed = Column(Boolean, nullable=False, default=False)  # the citizen got the apology
    repeated = Column(Boolean, nullable=False, default=False)  # same text as the last turn
    before_handoff = Column(Boolean, nullable=False, default=False)  # the next turn handed over


def day_of(ts: float) -> int:
    return int((ts + RIYADH_OFFSET) // DAY)


def day_start_ts(day: int) -> int:
    return day * DAY - RIYADH_OFFSET


def riyadh_day(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return day_of(when.timestamp())


# -- what the tracker store saw --------------------------------------------------------
_pending: Dict[str, Dict[str, Any]] = {}
_lock = threading.Lock()
_MAX_PENDING = 10_000


def summarise(rows: Iterable[Dict[str, Any]], active_form: Optional[str]) -> Dict[str, Any]:
    """A turn's facts from the event rows the tracker store writes (type_name,
    action_name, data as JSON)."""
    turn: Dict[str, Any] = {
        "fallback": False,
        "handoff": False,
        "form": active_form,
        "active": bool(active_form),  # a form still running after this turn
    }
    for row in rows:
        kind = row.get("type_name")
        if kind == "user":
            data = json.loads(row.get("data") or "{}")
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            name, confidence = intent.get("name"), intent.get("confidence")
            if name == "faq":
                key = ((parse.get("response_selector") or {}).get("faq") or {}).get("response")
                name = (key or {}).get("intent_response_key") or name
            turn.update(intent=name, confidence=confidence, text=data.get("text"))
            if name in FALLBACK_INTENTS:
                turn["fallback"] = True
        elif kind == "action":
            action = row.get("action_name") or ""
            if action in FALLBACK_ACTIONS:
                turn["fallback"] = True
            if action in HANDOFF_ACTIONS:
                turn["handoff"] = True
            if action in FINISHERS:
                turn["finished"], form = FINISHERS[action]
                turn["form"] = turn.get("form") or form
                if turn.get("form_event") != STARTED:
                    turn["form_event"] = COMPLETED
        elif kind == "active_loop":
            data = json.loads(row.get("data") or "{}")
            if data.get("name"):
                turn.update(form=data["name"], form_event=STARTED)
            elif turn.get("form_event") is None:
                turn["form_event"] = CANCELLED
        elif kind == "slot":
            data = json.loads(row.get("data") or "{}")
            if data.get("name") == "requested_slot" and data.get("value"):
                turn["requested_slot"] = str(data["value"])[:60]
    return turn


def note_events(sender_id: str, rows: Iterable[Dict[str, Any]], active_form: Optional[str]) -> None:
    """Called by the tracker store with the rows of one save; never raises."""
    try:
        turn = summarise(rows, active_form)
    except Exception:  # analytics must never break a citizen's turn
        return
    with _lock:
        if len(_pending) >= _MAX_PENDING:
            _pending.clear()  # turns saved outside the pipeline (Rasa's HTTP API)
        previous = _pending.get(sender_id)
        if previous and previous.get("intent") and not turn.get("intent"):
            # a second save within one turn (a form's follow-up actions)
            for key, value in turn.items():
                if value and not previous.get(key):
                    previous[key] = value
        else:
            _pending[sender_id] = turn


def take_pending(sender_id: str) -> Dict[str, Any]:
    with _lock:
        return _pending.pop(sender_id, None) or {}


def record_turn(
    conversation_id: str,
    channel: str,
    latency_ms: Optional[int],
    failed: bool = False,
    at: Optional[float] = None,
    facts: Optional[Dict[str, Any]] = None,
) -> int:
    """Write the turn's row (with what the tracker store noted). Returns its id."""
    ts = int(at if at is not None else datetime.now(timezone.utc).timestamp())
    turn = dict(facts) if facts is not None else take_pending(conversation_id)
    with transaction() as connection:
        return write_turn(connection, conversation_id, channel, latency_ms, failed, ts, turn)


def write_turn(
    connection,
    conversation_id: str,
    channel: str,
    latency_ms: Optional[int],
    failed: bool,
    ts: int,
    turn: Dict[str, Any],
) -> int:
    """`record_turn` in the caller's transaction (with the turn's transcript messages)."""
    text = turn.get("text")
    values = {
        "conversation_id": conversation_id[:128],
        "channel": channel[:20],
        "day": day_of(ts),
        "ts": ts,
        "text": mask_text(text)[:MAX_TEXT] if text else None,
        "intent": (turn.get("intent") or None) and str(turn["intent"])[:120],
        "confidence": turn.get("confidence"),
        "fallback": bool(turn.get("fallback")) or failed,
        "handoff": bool(turn.get("handoff")),
        "form": turn.get("form"),
        "form_event": turn.get("form_event"),
        "requested_slot": turn.get("requested_slot"),
        "finished": turn.get("finished"),
        "latency_ms": latency_ms,
        "failed": failed,
    }
    # The review queue's "repeated" and "before handoff" are set here, once, so that
    # listing it never compares every turn with the one before.
    key = {"_conversation_id": values["conversation_id"]}
    previous, before = (connection.execute(_LAST_TWO, key).all() + [None, None])[:2]
    if previous is not None:
        values["repeated"] = bool(
            values["text"]
            and previous.text == values["text"]
            and ts - previous.ts <= REPEAT_SECONDS
            and not _answers_another_question(previous, before)
        )
        if values["handoff"]:
            connection.execute(_BEFORE_HANDOFF, {"_id": previous.id})
    if values["form_event"] == CANCELLED and not values["form"]:
        values["form"] = connection.execute(_LAST_FORM, key).scalar()
    return int(connection.execute(_INSERT, values).inserted_primary_key[0])


# Built once: building a Core statement costs several times what running it does
# (docs/benchmarks.md "Half the CPU").
_TABLE = BotTurn.__table__
_OF_CONVERSATION = _TABLE.c.conversation_id == bindparam("_conversation_id")
_LAST_TWO = (
    select(_TABLE.c.id, _TABLE.c.ts, _TABLE.c.text, _TABLE.c.requested_slot)
    .where(_OF_CONVERSATION)
    .order_by(_TABLE.c.ts.desc(), _TABLE.c.id.desc())
    .limit(2)
)
_BEFORE_HANDOFF = update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(before_handoff=True)
_LAST_FORM = (
    select(_TABLE.c.form)
    .where(_OF_CONVERSATION, _TABLE.c.form.isnot(None))
    .order_by(_TABLE.c.id.desc())
    .limit(1)
)
_INSERT = _TABLE.insert()


def _answers_another_question(previous: Any, before: Any) -> bool:
    """The same words as the message before, but each answering its own question of a
    form ("لا" to "are you married?", then "لا" to "any income?"): no repeat. A turn's
    requested_slot is the question it asked, so this message answers `previous`'s and
    the message before answered `before`'s."""
    asked_now = previous.requested_slot
    asked_then = before.requested_slot if before is not None else None
    return bool(asked_now and asked_then and asked_now != asked_then)


def get_turn(turn_id: int) -> Optional[Dict[str, Any]]:
    table = BotTurn.__table__
    with transaction() as connection:
        row = connection.execute(select(table).where(table.c.id == turn_id)).mappings().first()
        return dict(row) if row else None
