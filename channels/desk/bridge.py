"""The desk's ways into the Rasa server it runs in: read a conversation's slots from
Rasa's tracker store, send a message to the citizen on their own channel, and tell the
citizen's widget who holds the conversation and whether the agent is typing.

Rasa keeps its `Agent` on the Sanic app (`app.ctx.agent`, replaced when a new model
is loaded), so it is looked up on every call, never kept.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

from bot.services import handoff

logger = logging.getLogger(__name__)

# Not delivered but kept in the transcript: the agent is told why, it is not a failure.
DELIVERY_NOTES = {
    "offline_stored": "المواطن غير متصل الآن، وبيشوف الرد أول ما يرجع للمحادثة.",
    "channel_cannot_push": "هذه القناة لا تستقبل رسائل مباشرة؛ حُفظ الرد في المحادثة.",
}


async def tracker_slots(app, conversation_id: str) -> Dict[str, Any]:
    """Current slot values from Rasa's tracker store (clear values: server side only)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return {}
    try:
        tracker = await store.retrieve(conversation_id)
    except Exception as e:
        logger.warning("desk: tracker unavailable: %s", type(e).__name__)
        return {}
    return tracker.current_slot_values() if tracker is not None else {}


async def deliver(
    view: handoff.HandoffView,
    text: str,
    author: str,
    buttons: Optional[List[Dict[str, str]]] = None,
) -> Any:
    """channels.outbound's Delivery for this message, or None when sending failed."""
    try:
        from channels.outbound import send_to_citizen

        return await send_to_citizen(view.conversation_id, text, buttons=buttons, author=author)
    except Exception as e:
        logger.error("desk: delivery to %s failed: %s", view.channel, type(e).__name__)
        return None


def reached(result: Any) -> bool:
    """Did the citizen get it, or will they with the widget's history at their next visit?
    (A REST client is never pushed to; a closed WhatsApp window sends nothing.)"""
    return bool(getattr(result, "delivered", False)) or (
        getattr(result, "reason", None) == "offline_stored"
    )


async def send(
    view: handoff.HandoffView,
    text: str,
    author: str,
    buttons: Optional[List[Dict[str, str]]] = None,
) -> Tuple[bool, str]:
    """Deliver on the citizen's own channel (channels.outbound records the transcript).
    (ok, note): a web citizen who is offline gets it from the history when they come
    back, a REST client cannot be pushed to (it is recorded); anything else not
    delivered is a failure the agent must see."""
    return judge(await deliver(view, text, author, buttons))


def judge(result: Any) -> Tuple[bool, str]:
    """(ok, note) for the agent, from a Delivery (see `send`)."""
    if result is None:
        return False, ""
    if getattr(result, "delivered", False):
        return True, ""
    note = DELIVERY_NOTES.get(getattr(result, "reason", None))
    if note and getattr(result, "recorded", False):
        return True, note
    return False, ""


async def holder_changed(view: handoff.HandoffView) -> bool:
    """Tell the citizen's widget who holds the conversation now (web only; never raises)."""
    import importlib

    notify = getattr(importlib.import_module("channels.outbound"), "notify_handoff_changed", None)
    if notify is None:
        return False
    try:
        return bool(await notify(view.conversation_id))
    except Exception as e:
        logger.warning("desk: handoff notice failed: %s", type(e).__name__)
        return False


async def typing(view: handoff.HandoffView, agent_name: str, on: bool) -> bool:
    """Show or hide "<agent> is typing" in the citizen's widget (web only; never raises)."""
    import importlib

    notify = getattr(importlib.import_module("channels.outbound"), "notify_agent_typing", None)
    if notify is None:
        return False
    try:
        return bool(await notify(view.conversation_id, agent_name, on))
    except Exception as e:
        logger.warning("desk: typing notice failed: %s", type(e).__name__)
        return False
