"""The console's two hooks into a citizen's conversation, called by the pipeline and the
desk (one line each there):

- `before_rasa`: an answer to the rating question (a score button, the comment choice,
  the comment itself) is handled here and never reaches Rasa;
- `after_rasa`: the turn's analytics row and metrics, then the rating question if the
  bot just finished something for the citizen;
- `after_agent`: when an agent closes or hands back a conversation, the rating question
  about the agent's part, which the desk sends with its closing words; one that could not
  reach the citizen (`question_not_delivered`) is asked by `after_rasa` after the
  conversation's next bot turn.
Each swallows its own errors: the citizen's conversation goes on regardless.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any, Dict, Optional, Tuple

from bot import metrics
from bot.services.console import csat
from bot.services.console import turns as console_turns
from channels.base import log_id

logger = logging.getLogger(__name__)


async def before_rasa(inbound: Any, text: str, output: Any) -> bool:
    """True when this message answered the rating question (and was answered here)."""
    metrics.inc(metrics.MESSAGES, inbound.channel)
    if csat.is_csat_payload(text) and hasattr(output, "flush_held"):
        await output.flush_held()  # its language is read from the transcript: the tapped title
    try:
        reply = await asyncio.to_thread(
            csat.handle_reply, inbound.conversation_id, text, text.startswith("/")
        )
    except Exception as e:
        logger.error(
            "rating reply failed for %s: %s", log_id(inbound.conversation_id), type(e).__name__
        )
        return False
    if reply is None:
        return False
    await output.emit(reply["text"], reply["buttons"] or None)
    return True


async def after_rasa(
    inbound: Any, started: float, output: Any, failed: bool, shown: Optional[str] = None
) -> None:
    """`shown`: the message as the transcript has it (a button's title, a code masked)."""
    conv, channel = inbound.conversation_id, inbound.channel
    held = output.take_held() if hasattr(output, "take_held") else None
    pending_id = getattr(inbound, "pending_id", None)
    try:
        # One thread hop and one transaction: the turn's transcript, its analytics row,
        # its pending row deleted and the open rating question read; then whether to ask.
        ask, settled = await asyncio.to_thread(
            _finish, conv, channel, time.monotonic() - started, failed, shown, held, pending_id
        )
        if settled:
            inbound.settled = True
        if ask is not None:
            await output.emit(ask["text"], ask["buttons"])
    except Exception as e:
        logger.error("after-turn hook failed for %s: %s", log_id(conv), type(e).__name__)


def _finish(
    conv: str,
    channel: str,
    seconds: float,
    failed: bool,
    shown: Optional[str],
    held: Optional[Dict[str, Any]],
    pending_id: Optional[int],
) -> Tuple[Optional[Dict[str, Any]], bool]:
    facts = console_turns.finish_turn(conv, channel, seconds, failed, shown, held, pending_id)
    settled = bool(facts.get("settled"))
    if failed:
        return None, settled
    active = bool(facts.get("active"))
    ask = csat.maybe_ask(conv, channel, facts.get("finished"), active, None, facts.get("intent"))
    if ask is None and "open_ask" in facts:
        ask = csat.due_question(conv, active, open_ask=facts["open_ask"])
    elif ask is None:
        ask = csat.due_question(conv, active)
    return ask, settled


async def after_agent(
    conversation_id: str, channel: str, agent: str, finished: str, since: Any = None
) -> Optional[Dict[str, Any]]:
    """The question about the agent's part (closed or handed back), for the desk to send
    now with its closing words; None when it was asked already in this episode (`since`:
    when the episode began). The desk calls `question_not_delivered` if it did not go."""
    try:
        return await asyncio.to_thread(
            functools.partial(
                csat.maybe_ask, conversation_id, channel, finished, agent=agent, since=since
            )
        )
    except Exception as e:
        logger.error(
            "rating question not asked for %s: %s", log_id(conversation_id), type(e).__name__
        )
        return None


async def question_not_delivered(ask: Dict[str, Any]) -> None:
    """Ask it after the conversation's next bot turn instead."""
    try:
        await asyncio.to_thread(csat.not_delivered, ask["id"])
    except Exception as e:
        logger.error("rating question not kept: %s", type(e).__name__)
