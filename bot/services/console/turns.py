"""What the channels hand over after each bot turn: the analytics row and the metrics.

The pipeline calls `finish_turn` once Rasa has answered (or failed to); the row's
intent, fallback and form facts were noted by the tracker store during the turn
(bot/store/turns.py). Returns those facts so the caller can decide on the rating
question (bot.services.console.csat).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from bot import metrics
from bot.store import turns

logger = logging.getLogger(__name__)


def finish_turn(
    conversation_id: str, channel: str, seconds: float, failed: bool, shown: Optional[str] = None
) -> Dict[str, Any]:
    """`shown` is the message as the citizen saw it (a button's title rather than its
    payload, a one-time code masked): what the review queue lists."""
    facts = turns.take_pending(conversation_id)
    if shown:
        facts["text"] = shown
    metrics.observe_reply(channel, seconds, failed)
    if facts.get("fallback") or failed:
        metrics.inc(metrics.FALLBACKS, channel)
    if facts.get("handoff"):
        metrics.inc(metrics.HANDOFFS, channel)
    try:
        facts["turn_id"] = turns.record_turn(
            conversation_id, channel, int(seconds * 1000), failed, facts=facts
        )
    except Exception as e:  # the citizen already has their answer
        metrics.inc(metrics.STORE_ERRORS, "database")
        logger.error("turn analytics not written: %s", type(e).__name__)
    return facts
