"""Push a message to a citizen on the conversation's own channel (used by the agent desk).

    result = await send_to_citizen(conversation_id, text, buttons=None, author="agent")
    await notify_agent_typing(conversation_id, agent_display_name, on=True)   # web only
    await notify_handoff_changed(conversation_id)                               # web only

- Telegram: through the shared telegram.Bot to the chat of the citizen's latest message.
- WhatsApp: through the Graph API, only inside the 24-hour customer-service window after
  the citizen's last message (outside it Meta only accepts templates): then nothing is
  sent or recorded and `reason` is "whatsapp_window_closed".
- Web: to every open socket of the session; when the citizen is offline the message is
  still recorded and appears from the history when the widget reconnects
  (delivered=False, recorded=True, reason="offline_stored"). Each web message is preceded
  by a "handoff" frame (who holds the conversation, from the handoff record), and agent
  messages carry the agent's display name (`agent_name`, else the holder's), so the
  widget tells a person from the bot (channels/web/agent.py).
- REST conversations cannot be pushed to: recorded only, reason "channel_cannot_push".
Every message that is recorded goes to the transcript with the given author
("agent", "bot" or "system"). Must run inside the Rasa server process (the web sockets
and the shared Telegram Bot live there). Never raises for delivery problems.

`Delivery` fields: delivered (bool), recorded (bool), transcript_id (int | None),
channel_message_id (str | None), reason (str | None).

The desk also calls, for web conversations (no-ops elsewhere, never raise):
- `notify_agent_typing(conversation_id, agent_display_name, on=True)` while the agent
  types (at most every few seconds; the widget hides the indicator by itself about 8
  seconds after the last call, at once on on=False or when the agent's message arrives);
- `notify_handoff_changed(conversation_id)` after a state change that sends the citizen
  no message (release back to the queue), so the widget's header follows.
Like the messages, these reach the sockets held by this server process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from bot.store import conversations
from channels.base import RecordingOutput, log_id

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    delivered: bool
    recorded: bool
    transcript_id: Optional[int] = None
    channel_message_id: Optional[str] = None
    reason: Optional[str] = None


def output_for(conversation: Dict[str, Any], author: str = "agent") -> Optional[RecordingOutput]:
    """The output channel that reaches this conversation (None for REST)."""
    channel, cid, recipient = (
        conversation["channel"],
        conversation["conversation_id"],
        conversation["recipient_id"],
    )
    if channel == "telegram":
        from channels.telegram.channel import TelegramOutput

        return TelegramOutput(cid, recipient, author=author)
    if channel == "whatsapp":
        from channels.whatsapp import WhatsAppOutput

        return WhatsAppOutput(cid, recipient, author=author)
    if channel == "web":
        from channels.web.channel import WebOutput

        return WebOutput(cid, author=author)
    return None


async def send_to_citizen(
    conversation_id: str,
    text: str,
    buttons: Optional[List[Dict[str, Any]]] = None,
    author: str = "agent",
    agent_name: Optional[str] = None,
) -> Delivery:
    if author not in ("agent", "bot", "system"):
        raise ValueError("author must be agent, bot or system")
    conversation = await asyncio.to_thread(conversations.get_conversation, conversation_id)
    if conversation is None:
        logger.warning("outbound: unknown conversation %s", log_id(conversation_id))
        return Delivery(False, False, reason="unknown_conversation")
    if conversation["channel"] == "whatsapp" and not await asyncio.to_thread(
        conversations.within_whatsapp_window, conversation_id
    ):
        logger.info("outbound: WhatsApp 24-hour window closed for %s", log_id(conversation_id))
        return Delivery(False, False, reason="whatsapp_window_closed")
    output = output_for(conversation, author)
    if output is None:
        tid = await asyncio.to_thread(
            conversations.record_outbound, conversation_id, text, buttons, author
        )
        return Delivery(False, True, tid, reason="channel_cannot_push")
    if conversation["channel"] == "web":
        await _announce_holder(conversation_id, output, agent_name)
    result = await output.emit(text, buttons, author=author)
    recorded = result.transcript_id is not None
    if conversation["channel"] == "web":
        online = getattr(output, "reached", 0) > 0
        return Delivery(
            online, recorded, result.transcript_id, reason=None if online else "offline_stored"
        )
    return Delivery(
        result.delivered,
        recorded,
        result.transcript_id,
        result.channel_message_id,
        None if result.delivered else "delivery_failed",
    )


# -- the web widget's view of the agent --------------------------------------------------------
def _web_session(conversation_id: str) -> Optional[str]:
    channel, _, sid = conversation_id.partition(":")
    return sid if channel == "web" and sid else None


async def _announce_holder(conversation_id: str, output: Any, agent_name: Optional[str]) -> None:
    from channels.web.agent import holder_frame
    from channels.web.channel import registry

    if not registry.online(output.recipient_id):
        return  # recorded only; the history names agents by itself
    frame = await asyncio.to_thread(holder_frame, conversation_id)
    output.agent_name = agent_name or frame.get("name")
    await registry.push(output.recipient_id, frame)


async def notify_agent_typing(
    conversation_id: str, agent_display_name: Optional[str] = None, on: bool = True
) -> bool:
    """Show (or hide) "<agent> is typing" in the citizen's widget. True if a socket got it."""
    sid = _web_session(conversation_id)
    if sid is None:
        return False
    try:
        from channels.web.agent import holder, typing_frame
        from channels.web.channel import registry

        if registry.online(sid) and not agent_display_name:
            agent_display_name = (await asyncio.to_thread(holder, conversation_id))["name"]
        return await registry.push(sid, typing_frame(agent_display_name, on)) > 0
    except Exception as e:
        logger.warning(
            "outbound: typing notice failed for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return False


async def notify_handoff_changed(conversation_id: str) -> bool:
    """Tell the citizen's widget who holds the conversation now. True if a socket got it."""
    sid = _web_session(conversation_id)
    if sid is None:
        return False
    try:
        from channels.web.agent import holder_frame
        from channels.web.channel import registry

        if not registry.online(sid):
            return False
        return await registry.push(sid, await asyncio.to_thread(holder_frame, conversation_id)) > 0
    except Exception as e:
        logger.warning(
            "outbound: handoff notice failed for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return False


async def push_recorded(conversation_id: str, message_id: int) -> bool:
    """Show a message that is already in the transcript (the notification sender writes
    it there) in the citizen's open widget, on the sockets of this process. True if one
    got it; never raises. Offline, the widget shows it with the history at the next visit."""
    sid = _web_session(conversation_id)
    if sid is None:
        return False
    try:
        from channels.web.channel import message_frame, registry

        if not registry.online(sid):
            return False
        recent = await asyncio.to_thread(conversations.transcript, conversation_id, 50)
        message = next((m for m in recent if m["id"] == message_id), None)
        if message is None:
            return False
        return await registry.push(sid, message_frame(message)) > 0
    except Exception as e:
        logger.warning(
            "outbound: push failed for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return False
