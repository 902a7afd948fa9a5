"""Conversations and their transcripts, shared by every channel and the agent desk.

A *conversation* is one citizen on one channel. Its id is the Rasa sender id:

    telegram:<telegram user id>     (one conversation per user, also in group chats)
    whatsapp:<wa_id>                (the citizen's WhatsApp number as Meta sends it)
    web:<session id>                (issued and signed by the server, channels/web/channel.py)
    <anything else>                 (the REST channel's `sender`, e.g. tests or rasa shell)

`recipient_id` is where the channel delivers replies: the Telegram chat id of the
citizen's latest message, the wa_id, or the web session id. `last_inbound_at` is
the time of the citizen's latest message; WhatsApp only allows free-form messages
within 24 hours of it (see `within_whatsapp_window`).

Transcript messages have an author: "citizen", "bot", "agent" or "system" (notices
written by the channels themselves, e.g. the rate-limit message). Citizen text (and any
reply that echoes it) is stored with national IDs, mobiles and IBANs masked
(bot.masking.mask_text):
the transcript is shown to agents and replayed in the web widget, and neither needs
the clear numbers (Rasa's tracker store keeps what the dialogue needs).
`buttons` is the list of {"title", "payload"} offered with a bot/agent message; it is
what makes a later button click (or a typed "/payload") acceptable, see
`last_offered_buttons` and `offered_button`.

Public functions (stable interface; all take and return plain values, each runs in
its own transaction but `write_messages`, they are synchronous: call them with asyncio.to_thread from
async code):

    record_inbound(conversation_id, channel, recipient_id, text, channel_message_id=None,
                   once=False) -> int
    record_outbound(conversation_id, text, buttons=None, author="bot", channel_message_id=None,
                    channel=None, recipient_id=None) -> int
    record_messages(conversation_id, channel, recipient_id, items) -> list[int]
    write_messages(connection, conversation_id, channel, recipient_id, items) -> list[int]
                   (several of a turn's messages in the caller's transaction; see there)
    set_channel_message_id(message_id, channel_message_id) -> None
    transcript(conversation_id, limit=None) -> list[dict]      (oldest first)
    answer_to(conversation_id, channel_message_id) -> list[dict] | None   (a re-sent message)
    get_conversation(conversation_id) -> dict | None
    last_offered_buttons(conversation_id) -> list[dict]
    offered_button(conversation_id, message_id, index) -> dict | None
    within_whatsapp_window(conversation_id, now=None) -> bool
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    bindparam,
    select,
    update,
)

from bot.masking import mask_text
from bot.nlu.arabic import to_ascii_digits
from bot.store import session_scope, transaction
from bot.store.base import Base, utcnow

AUTHORS = ("citizen", "bot", "agent", "system")
CHANNELS = ("telegram", "whatsapp", "web", "rest")
WHATSAPP_WINDOW = timedelta(hours=24)
MAX_ID = 128


def _aware(value: Optional[datetime]) -> Optional[datetime]:
    # SQLite drops the time zone; everything we write is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class Conversation(Base):
    __tablename__ = "conversations"

    conversation_id = Column(String(MAX_ID), primary_key=True)
    channel = Column(String(20), nullable=False, index=True)
    recipient_id = Column(String(MAX_ID), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_inbound_at = Column(DateTime(timezone=True), nullable=True)


class TranscriptMessage(Base):
    __tablename__ = "transcript_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(
        String(MAX_ID), ForeignKey("conversations.conversation_id"), nullable=False, index=True
    )
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    author = Column(String(10), nullable=False)
    text = Column(Text, nullable=False, default="")
    buttons = Column(Text, nullable=True)  # JSON list of {"title", "payload"}
    channel_message_id = Column(String(MAX_ID), nullable=True)


def channel_from_id(conversation_id: str) -> str:
    """The channel a conversation id belongs to ("rest" for anything unprefixed)."""
    prefix = conversation_id.split(":", 1)[0] if ":" in conversation_id else ""
    return prefix if prefix in ("telegram", "whatsapp", "web") else "rest"


# The statements written on every message, built once: building a Core statement costs
# several times what SQLite takes to run it (docs/benchmarks.md "Half the CPU").
_BY_ID = bindparam("_conversation_id")

# Its SET clause is made of the parameters named like columns (those being changed).
_TOUCH = Conversation.__table__.update().where(Conversation.__table__.c.conversation_id == _BY_ID)

_EXISTS = select(Conversation.__table__.c.conversation_id).where(
    Conversation.__table__.c.conversation_id == _BY_ID
)
_CREATE = Conversation.__table__.insert()
_INSERT_MESSAGE = TranscriptMessage.__table__.insert()
_STORED_INBOUND = select(TranscriptMessage.__table__.c.id).where(
    TranscriptMessage.__table__.c.conversation_id == _BY_ID,
    TranscriptMessage.__table__.c.author == "citizen",
    TranscriptMessage.__table__.c.channel_message_id == bindparam("_channel_message_id"),
)


def _touch(
    connection,
    conversation_id: str,
    channel: Optional[str],
    recipient_id: Optional[str],
    last_inbound_at: Optional[datetime] = None,
) -> None:
    """Create the conversation on first contact; remember where to reply and when the
    citizen last wrote."""
    changes: Dict[str, Any] = {}
    if recipient_id is not None:
        changes["recipient_id"] = str(recipient_id)
    if last_inbound_at is not None:
        changes["last_inbound_at"] = last_inbound_at
    if changes:
        changes["_conversation_id"] = conversation_id
        exists = connection.execute(_TOUCH, changes).rowcount > 0
    else:
        exists = (
            connection.execute(_EXISTS, {"_conversation_id": conversation_id}).first() is not None
        )
    if not exists:
        connection.execute(
            _CREATE,
            {
                "conversation_id": conversation_id,
                "channel": channel or channel_from_id(conversation_id),
                "recipient_id": str(recipient_id or conversation_id.split(":", 1)[-1]),
                "created_at": utcnow(),
                "last_inbound_at": last_inbound_at,
            },
        )


def _stored_inbound(connection, conversation_id: str, channel_message_id: Any) -> Optional[int]:
    """The id of a citizen's message already stored under this channel message id."""
    stored = connection.execute(
        _STORED_INBOUND,
        {"_conversation_id": conversation_id, "_channel_message_id": _str(channel_message_id)},
    ).scalar()
    return None if stored is None else int(stored)


def _insert_message(
    connection,
    conversation_id: str,
    at: datetime,
    author: str,
    text: str,
    buttons: Optional[str],
    channel_message_id: Optional[str],
) -> int:
    result = connection.execute(
        _INSERT_MESSAGE,
        {
            "conversation_id": conversation_id,
            "at": at,
            "author": author,
            "text": text,
            "buttons": buttons,
            "channel_message_id": _str(channel_message_id),
        },
    )
    return int(result.inserted_primary_key[0])


def _clean_buttons(buttons: Optional[List[Dict[str, Any]]]) -> Optional[str]:
    if not buttons:
        return None
    kept = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons
        if isinstance(b, dict) and b.get("payload")
    ]
    return json.dumps(kept, ensure_ascii=False) if kept else None


def record_inbound(
    conversation_id: str,
    channel: str,
    recipient_id: str,
    text: str,
    channel_message_id: Optional[str] = None,
    at: Optional[datetime] = None,
    once: bool = False,
) -> int:
    """Store a citizen message (masked) and bump `last_inbound_at`; creates the
    conversation on first contact and remembers where to reply. Returns the message id.

    `once`: a message run again after its worker died (channels/replay.py) may have been
    stored already; then the stored one's id is returned and nothing is added. Not for
    every message: a channel's ids are only unique where the channel says so."""
    at = at or utcnow()
    with transaction() as connection:
        _touch(connection, conversation_id, channel, recipient_id, last_inbound_at=at)
        if once and channel_message_id is not None:
            stored = _stored_inbound(connection, conversation_id, channel_message_id)
            if stored is not None:
                return stored
        return _insert_message(
            connection,
            conversation_id,
            at,
            "citizen",
            mask_text(text or ""),
            None,
            channel_message_id,
        )


def record_outbound(
    conversation_id: str,
    text: str,
    buttons: Optional[List[Dict[str, Any]]] = None,
    author: str = "bot",
    channel_message_id: Optional[str] = None,
    channel: Optional[str] = None,
    recipient_id: Optional[str] = None,
    at: Optional[datetime] = None,
) -> int:
    """Store a message to the citizen from the bot, an agent or the system. Returns its id
    (the channels use it in short button ids such as Telegram callback_data)."""
    if author not in AUTHORS or author == "citizen":
        raise ValueError(f"outbound author must be bot, agent or system, not {author!r}")
    with transaction() as connection:
        _touch(connection, conversation_id, channel, recipient_id)
        return _insert_message(
            connection,
            conversation_id,
            at or utcnow(),
            author,
            _masked(text or ""),
            _clean_buttons(buttons),
            channel_message_id,
        )


def write_messages(
    connection,
    conversation_id: str,
    channel: Optional[str],
    recipient_id: Optional[str],
    items: List[Dict[str, Any]],
) -> List[int]:
    """A turn's messages in order, in the caller's transaction: what `record_inbound` and
    `record_outbound` would write, with the conversation touched once. Each item is
    {"author", "text", "buttons"?, "channel_message_id"?, "at", "once"?}; a citizen's
    item masks its text and bumps `last_inbound_at` as `record_inbound` does (`once` too).
    Returns the message ids (a citizen's message stored already: that one's id)."""
    inbound = next((i for i in items if i["author"] == "citizen"), None)
    _touch(
        connection,
        conversation_id,
        channel,
        recipient_id if inbound is not None else None,
        last_inbound_at=inbound["at"] if inbound is not None else None,
    )
    ids: List[int] = []
    for item in items:
        author, mid = item["author"], item.get("channel_message_id")
        if author == "citizen":
            if item.get("once") and mid is not None:
                stored = _stored_inbound(connection, conversation_id, mid)
                if stored is not None:
                    ids.append(stored)
                    continue
            text, buttons = mask_text(item["text"] or ""), None
        elif author in AUTHORS:
            text, buttons = _masked(item["text"] or ""), _clean_buttons(item.get("buttons"))
        else:
            raise ValueError(f"unknown author {author!r}")
        ids.append(
            _insert_message(connection, conversation_id, item["at"], author, text, buttons, mid)
        )
    return ids


def record_messages(
    conversation_id: str,
    channel: Optional[str],
    recipient_id: Optional[str],
    items: List[Dict[str, Any]],
) -> List[int]:
    """`write_messages` in its own transaction."""
    with transaction() as connection:
        return write_messages(connection, conversation_id, channel, recipient_id, items)


def _masked(text: str) -> str:
    # Replies echo what the citizen typed (the ticket summary shows the ID and mobile): they
    # are stored masked like citizen text. Other digits stay as written (٥٠٠٠ stays ٥٠٠٠).
    masked = mask_text(text)
    return masked if masked != to_ascii_digits(text) else text


def set_channel_message_id(message_id: int, channel_message_id: Optional[str]) -> None:
    """Attach the platform's id (Telegram message_id, WhatsApp wamid) once it is known."""
    if channel_message_id is None:
        return
    with session_scope() as s:
        s.execute(
            update(TranscriptMessage)
            .where(TranscriptMessage.id == message_id)
            .values(channel_message_id=_str(channel_message_id))
        )


def _as_dict(m: TranscriptMessage) -> Dict[str, Any]:
    return {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "at": _aware(m.at).isoformat(),
        "author": m.author,
        "text": m.text,
        "buttons": json.loads(m.buttons) if m.buttons else [],
        "channel_message_id": m.channel_message_id,
    }


def transcript(conversation_id: str, limit: Optional[int] = None) -> List[Dict[str, Any]]:
    """The conversation's messages, oldest first (the latest `limit` ones if given). Each is
    {"id", "conversation_id", "at" (ISO 8601 UTC), "author", "text", "buttons", "channel_message_id"}."""
    with session_scope() as s:
        q = (
            select(TranscriptMessage)
            .where(TranscriptMessage.conversation_id == conversation_id)
            .order_by(TranscriptMessage.id.desc())
        )
        if limit:
            q = q.limit(limit)
        rows = s.execute(q).scalars().all()
        return [_as_dict(m) for m in reversed(rows)]


def answer_to(conversation_id: str, channel_message_id: str) -> Optional[List[Dict[str, Any]]]:
    """What was sent after the citizen's message with this channel id, up to their next
    message ({"author", "text", "buttons"}, masked as stored); None if no such message is
    stored. A client that sent the message again gets this instead of a second turn."""
    table = TranscriptMessage.__table__
    with session_scope() as s:
        stored = s.execute(
            select(table.c.id)
            .where(
                table.c.conversation_id == conversation_id,
                table.c.author == "citizen",
                table.c.channel_message_id == _str(channel_message_id),
            )
            .order_by(table.c.id.desc())
            .limit(1)
        ).scalar()
        if stored is None:
            return None
        rows = s.execute(
            select(table.c.author, table.c.text, table.c.buttons)
            .where(table.c.conversation_id == conversation_id, table.c.id > stored)
            .order_by(table.c.id)
            .limit(50)
        ).all()
    replies: List[Dict[str, Any]] = []
    for author, text, buttons in rows:
        if author == "citizen":
            break
        replies.append({"author": author, "text": text, "buttons": json.loads(buttons or "[]")})
    return replies


def get_conversation(conversation_id: str) -> Optional[Dict[str, Any]]:
    """{"conversation_id", "channel", "recipient_id", "created_at", "last_inbound_at"} or None."""
    with session_scope() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            return None
        return {
            "conversation_id": conv.conversation_id,
            "channel": conv.channel,
            "recipient_id": conv.recipient_id,
            "created_at": _aware(conv.created_at),
            "last_inbound_at": _aware(conv.last_inbound_at),
        }


def last_offered_buttons(conversation_id: str, lookback: int = 20) -> List[Dict[str, Any]]:
    """Buttons offered in the last reply: every bot/agent/system message since the
    citizen's latest message, in order. Empty if the citizen spoke last."""
    with session_scope() as s:
        rows = s.execute(
            select(TranscriptMessage.author, TranscriptMessage.buttons)
            .where(TranscriptMessage.conversation_id == conversation_id)
            .order_by(TranscriptMessage.id.desc())
            .limit(lookback)
        ).all()
    offered: List[Dict[str, Any]] = []
    for author, buttons in rows:
        if author == "citizen":
            break
        if buttons:
            offered = json.loads(buttons) + offered
    return offered


def offered_button(conversation_id: str, message_id: int, index: int) -> Optional[Dict[str, Any]]:
    """Button number `index` of message `message_id`, only if that message was sent to this
    conversation (so a button id cannot be replayed into someone else's conversation)."""
    with session_scope() as s:
        m = s.get(TranscriptMessage, message_id)
        if m is None or m.conversation_id != conversation_id or not m.buttons:
            return None
        buttons = json.loads(m.buttons)
    if 0 <= index < len(buttons):
        return buttons[index]
    return None


def within_whatsapp_window(conversation_id: str, now: Optional[datetime] = None) -> bool:
    """True while free-form WhatsApp messages are allowed (24 h after the citizen's last message)."""
    conv = get_conversation(conversation_id)
    if conv is None or conv["last_inbound_at"] is None:
        return False
    return (now or utcnow()) - conv["last_inbound_at"] < WHATSAPP_WINDOW


def _str(value: Any) -> Optional[str]:
    return None if value is None else str(value)[:MAX_ID]
