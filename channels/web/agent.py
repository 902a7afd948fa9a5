"""What the web widget is told about a person in the conversation (see channels/web/channel.py).

A citizen must be able to tell the bot from a person: while an agent holds the
conversation the widget shows the agent's display name in its header and on their
messages, shows the agent's real typing state instead of the bot's dots, and goes back
to the assistant when the conversation is handed back or closed. Frames:

    {"type": "handoff", "state": "bot" | "queued" | "agent", "name": <agent's name> | null}
    {"type": "typing", "on": true|false, "by": "agent", "name": <agent's name>}
    agent messages carry "name" too (live and in the history).

The handoff frame follows every hello and every message the desk sends through
channels.outbound.send_to_citizen (claim notice, replies, hand-back, close), so the desk
needs no call of its own for those. Names come from the handoff record (claimed_by) and
the desk's agent table; any lookup failure means "the assistant", never an error.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select

from bot.services import handoff
from bot.store import session_scope
from bot.store.handoffs import Agent, Handoff, HandoffPart, aware
from channels.base import log_id

logger = logging.getLogger(__name__)

MAX_NAME = 60


def _clean_name(name: Any) -> Optional[str]:
    text = " ".join(str(name or "").split())[:MAX_NAME]
    return text or None


def display_names(usernames) -> Dict[str, str]:
    """username -> display name (the username itself when the agent has none)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    with session_scope() as s:
        rows = s.execute(
            select(Agent.username, Agent.display_name).where(Agent.username.in_(wanted))
        ).all()
    return {u: _clean_name(d) or u for u, d in rows}


def holder(conversation_id: str) -> Dict[str, Optional[str]]:
    """{"state": "bot" | "queued" | "agent", "name": the holding agent's display name or None}."""
    try:
        view = handoff.open_for(conversation_id)
        if view is None:
            return {"state": handoff.BOT, "name": None}
        name = None
        if view.state == handoff.AGENT and view.claimed_by:
            name = display_names([view.claimed_by]).get(view.claimed_by) or None
        return {"state": view.state, "name": name}
    except Exception as e:  # the widget then simply shows the assistant
        logger.warning(
            "web: handoff state unavailable for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return {"state": handoff.BOT, "name": None}


def holder_frame(conversation_id: str) -> Dict[str, Any]:
    return {"type": "handoff", **holder(conversation_id)}


def typing_frame(name: Optional[str], on: bool) -> Dict[str, Any]:
    return {"type": "typing", "on": bool(on), "by": "agent", "name": _clean_name(name)}


def _parse(at: Any) -> Optional[datetime]:
    if isinstance(at, datetime):
        return aware(at)
    try:
        value = datetime.fromisoformat(str(at))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _episodes(conversation_id: str) -> List[Tuple[datetime, Optional[datetime], str]]:
    """Each agent's part of the conversation's episodes (a transfer starts a new one)."""
    with session_scope() as s:
        rows = s.execute(
            select(HandoffPart.started_at, HandoffPart.ended_at, HandoffPart.agent)
            .join(Handoff, Handoff.id == HandoffPart.handoff_id)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(HandoffPart.started_at, HandoffPart.id)
        ).all()
    names = display_names(r.agent for r in rows)
    return [(aware(r.started_at), aware(r.ended_at), names.get(r.agent, r.agent)) for r in rows]


def name_agent_messages(conversation_id: str, messages: List[Dict[str, Any]]) -> None:
    """Give each agent message of a history the name of the agent who held the episode
    it was written in (the transcript stores the author, not which agent)."""
    if not any(m.get("author") == "agent" for m in messages):
        return
    try:
        episodes = _episodes(conversation_id)
    except Exception as e:
        logger.warning(
            "web: agent names unavailable for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return
    for m in messages:
        if m.get("author") != "agent":
            continue
        at = _parse(m.get("at"))
        for start, end, name in reversed(episodes):
            if at is not None and start <= at and (end is None or at <= end):
                m["name"] = name
                break
