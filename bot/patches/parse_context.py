"""The previous answer's topic handed to the NLU with the message it reads.

Rasa runs the NLU on the message alone, although the processor already holds the
conversation when it asks for the parse. A follow-up that the answer selector reads as
the very answer just given ("بس الرقم القديم ملغي وما تجيني رسالة التحقق، وش الحل؟"
after the steps to change the mobile number) then gets the same text again. With the
topic, the active form and the previous message beside it, bot/nlu/followup_shapes.py
can see that and answer from the previous answer's lines, or say the sources do not
hold it. The context rides on a copy of the message's metadata for the parse only: it
is not stored with the conversation's events.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List

from rasa.core.channels.channel import UserMessage

from bot.patches.registry import Patch
from bot.services.followups.topics import CONTEXT_KEY, topic_of

# Events looked at, newest first: enough for one answer and one small-talk exchange.
LOOKBACK = 40
_KINDS = {"user", "bot", "slot", "session_started"}


def _as_dicts(tracker) -> List[Dict[str, Any]]:
    """The conversation's latest events as the few fields topic_of reads, oldest first."""
    found: List[Dict[str, Any]] = []
    users = 0
    for index, event in enumerate(reversed(tracker.events)):
        kind = getattr(event, "type_name", "")
        if index >= LOOKBACK or kind == "session_started":
            found.append({"event": "session_started"})
            break
        if kind not in _KINDS:
            continue
        if kind == "user":
            users += 1
            found.append({"event": "user", "parse_data": {"intent": event.intent or {}}})
            if users > 2:
                break
        elif kind == "bot":
            found.append({"event": "bot", "metadata": event.metadata or {}})
        else:
            found.append({"event": "slot", "name": event.key, "value": event.value})
    return list(reversed(found))


def context_of(tracker) -> Dict[str, Any]:
    """What the NLU may lean on: the previous answer's topic, the form running, the
    conversation's language and the previous message's text."""
    previous = tracker.latest_message
    events = _as_dicts(tracker) + [{"event": "user"}]  # the message being read
    return {
        "topic": topic_of(events),
        "form": tracker.active_loop_name,
        "language": tracker.get_slot("language") if "language" in tracker.slots else None,
        "text": (previous.text or "") if previous is not None else "",
    }


def _with_context(original):
    @functools.wraps(original)
    async def parse_message(self, message, tracker=None, only_output_properties=True):
        # A caller's own metadata never stands in for the conversation's context.
        metadata = {k: v for k, v in (message.metadata or {}).items() if k != CONTEXT_KEY}
        if tracker is not None and not (message.text or "").lstrip().startswith("/"):
            metadata[CONTEXT_KEY] = context_of(tracker)
        elif CONTEXT_KEY not in (message.metadata or {}):
            return await original(self, message, tracker, only_output_properties)
        copy = UserMessage(
            message.text,
            message.output_channel,
            message.sender_id,
            message.parse_data,
            message.input_channel,
            message.message_id,
            metadata,
        )
        return await original(self, copy, tracker, only_output_properties)

    return parse_message


PATCHES = [
    Patch(
        "rasa.core.processor:MessageProcessor",
        "parse_message",
        _with_context,
        upstream_sha256="b98d8e49b9f2c433040af62752212dc374600d50cd21deec82386642b64d30dc",
    ),
]
