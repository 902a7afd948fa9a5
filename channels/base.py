"""Output side shared by every channel: record each message in the transcript, then deliver.

`RecordingOutput` is a Rasa `OutputChannel` for one conversation. Rasa (or the agent
desk through channels.outbound.send_to_citizen, or the pipeline for its own notices)
calls the usual send_* methods; each message is first written to the transcript (so
its row id can be used as a short, server-side button id), then handed to the
channel's `deliver()`. A delivery failure is logged, never raised into Rasa.

During a bot turn the pipeline has the transcript written lazily (`hold`): the citizen's
message and the replies whose delivery does not show their row id wait in memory, and
go to the database in one transaction, in order, either with the first reply that needs
its id (a button id, the widget's message id) or with the turn's analytics row at the
end (`take_held`, bot.services.console.turns.finish_turn). One commit per turn instead
of one per message: the largest cost of a turn after Rasa's own (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.channels.channel import OutputChannel

from bot.cleantext import clean_strings
from bot.masking import log_ref
from bot.store import conversations
from bot.store.base import utcnow

logger = logging.getLogger(__name__)

_BUTTON_ID = re.compile(r"^b:(\d{1,12}):(\d{1,2})$")


def parse_json(raw: Any) -> Any:
    """json.loads for bodies from outside: anything that does not parse, including arrays
    nested thousands deep (RecursionError, not a ValueError), is a ValueError, so every
    channel answers it as malformed instead of with a 500. Unpaired surrogates ("\\ud800")
    come back as U+FFFD: no store or Rasa could write them."""
    try:
        return clean_strings(json.loads(raw))
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def log_id(conversation_id: str) -> str:
    """A conversation id safe for logs: channel prefix + short salted hash (wa_ids are phone numbers)."""
    prefix = conversation_id.split(":", 1)[0] if ":" in conversation_id else "rest"
    digest = log_ref(conversation_id)
    return f"{prefix}#{digest}"


def button_id(transcript_id: Optional[int], index: int) -> str:
    """Short id for a button ("b:<transcript message id>:<index>", well under Telegram's 64 bytes)."""
    return f"b:{transcript_id or 0}:{index}"


def parse_button_id(value: Any) -> Optional[Tuple[int, int]]:
    match = _BUTTON_ID.match(str(value or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def clean_buttons(buttons: Optional[List[Dict[str, Any]]]) -> List[Dict[str, str]]:
    """Keep {title, payload} of buttons that have a payload (Rasa also allows url buttons)."""
    out = []
    for b in buttons or []:
        if isinstance(b, dict) and b.get("payload"):
            out.append({"title": str(b.get("title") or b["payload"]), "payload": str(b["payload"])})
    return out


@dataclass
class Emitted:
    transcript_id: Optional[int]
    delivered: bool
    channel_message_id: Optional[str] = None


class RecordingOutput(OutputChannel):
    """Base output channel for one conversation. Subclasses implement `deliver` (and
    optionally `typing`); `author` is "bot" for Rasa replies, "agent" for the desk."""

    channel = "base"
    # Which messages `deliver` needs the transcript row id of: "all" (the widget shows
    # it), "buttons" (button ids carry it: Telegram, WhatsApp) or "none" (REST).
    ids_needed = "all"

    def __init__(self, conversation_id: str, recipient_id: str, author: str = "bot") -> None:
        self.conversation_id = conversation_id
        self.recipient_id = recipient_id
        self.author = author
        self.current_author = author
        self.emitted: List[Emitted] = []
        self._held: Optional[List[Dict[str, Any]]] = None  # see `hold`
        self._held_where: Tuple[Optional[str], Optional[str]] = (None, None)

    # -- the turn's transcript, written lazily ---------------------------------------------
    def hold(self, inbound: Dict[str, Any], channel: str, recipient_id: str) -> None:
        """Until `take_held`: keep the citizen's message (`inbound`, an item of
        bot.store.conversations.write_messages) and the replies that need no row id in
        memory, to be written together."""
        self._held = [inbound]
        self._held_where = (channel, recipient_id)

    def holding(self) -> bool:
        return self._held is not None

    def take_held(self) -> Optional[Dict[str, Any]]:
        """Stop holding; what is still unwritten ({"channel", "recipient_id", "items"}) or None."""
        held, self._held = self._held, None
        if not held:
            return None
        channel, recipient_id = self._held_where
        return {"channel": channel, "recipient_id": recipient_id, "items": held}

    async def flush_held(self) -> None:
        """Write what is held now and stop holding (a path that writes no turn row)."""
        held = self.take_held()
        if held is not None:
            await self._write_held(held)

    async def _write_held(self, held: Dict[str, Any]) -> Optional[List[int]]:
        try:
            return await asyncio.to_thread(
                conversations.record_messages,
                self.conversation_id,
                held["channel"],
                held["recipient_id"],
                held["items"],
            )
        except Exception as e:
            logger.error(
                "transcript write failed for %s: %s", log_id(self.conversation_id), type(e).__name__
            )
            return None

    @classmethod
    def name(cls) -> str:
        return cls.channel

    # -- to implement -------------------------------------------------------------------
    async def deliver(
        self, text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> Optional[str]:
        """Send on the platform; return the platform's message id (or None). May raise."""
        raise NotImplementedError

    async def typing(self, on: bool) -> None:
        """Show or hide a typing indicator (best effort)."""

    # -- Rasa's OutputChannel interface -------------------------------------------------
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.emit(text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.emit(text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.emit(text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.emit(image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.emit(str(attachment))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        # Never show raw JSON to a citizen; a custom payload with a "text" is sent as text.
        if isinstance(json_message, dict) and json_message.get("text"):
            await self.emit(str(json_message["text"]), json_message.get("buttons"))
        else:
            logger.info("custom payload not supported on %s; skipped", self.channel)

    async def repeat(self, text: str, buttons: List[Dict[str, Any]]) -> None:
        """Deliver a reply that is in the transcript already (a message sent again)."""
        await self.deliver(text or "", clean_buttons(buttons), None)

    # -- helpers --------------------------------------------------------------------------
    async def notice(self, text: str) -> Emitted:
        """A message written by the channels themselves (rate limit, media, errors)."""
        return await self.emit(text, author="system")

    async def emit(
        self,
        text: str,
        buttons: Optional[List[Dict[str, Any]]] = None,
        author: Optional[str] = None,
    ) -> Emitted:
        text = text or ""
        kept = clean_buttons(buttons)
        if not text.strip() and not kept:
            return Emitted(None, False)
        transcript_id: Optional[int] = None
        self.current_author = author or self.author  # for deliver() implementations that show it
        needs_id = self.ids_needed == "all" or (self.ids_needed == "buttons" and bool(kept))
        item: Optional[Dict[str, Any]] = None
        if self._held is not None:
            item = {"author": author or self.author, "text": text, "buttons": kept, "at": utcnow()}
            self._held.append(item)
            if needs_id:  # written now, after what was held: the transcript keeps the order
                channel, recipient_id = self._held_where
                held, self._held = self._held, []
                ids = await self._write_held(
                    {"channel": channel, "recipient_id": recipient_id, "items": held}
                )
                transcript_id = ids[-1] if ids else None
        else:
            try:
                transcript_id = await asyncio.to_thread(
                    conversations.record_outbound,
                    self.conversation_id,
                    text,
                    kept,
                    author or self.author,
                    None,
                    self.channel,
                    None,
                )
            except Exception as e:
                logger.error(
                    "transcript write failed for %s: %s",
                    log_id(self.conversation_id),
                    type(e).__name__,
                )
        try:
            mid = await self.deliver(text, kept, transcript_id)
        except Exception as e:
            logger.warning(
                "delivery failed on %s for %s: %s",
                self.channel,
                log_id(self.conversation_id),
                type(e).__name__,
            )
            result = Emitted(transcript_id, False)
        else:
            result = Emitted(transcript_id, True, None if mid is None else str(mid))
            if mid is not None and transcript_id is None and item is not None:
                item["channel_message_id"] = str(mid)  # still held: written with it
            elif mid is not None and transcript_id is not None:
                try:
                    await asyncio.to_thread(
                        conversations.set_channel_message_id, transcript_id, mid
                    )
                except Exception as e:
                    logger.error("transcript update failed: %s", type(e).__name__)
        self.emitted.append(result)
        return result
