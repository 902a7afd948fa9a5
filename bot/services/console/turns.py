"""What the channels hand over after each bot turn: the analytics row and the metrics.

The pipeline calls `finish_turn` once Rasa has answered (or failed to); the row's
intent, fallback and form facts were noted by the tracker store during the turn
(bot/store/turns.py). Returns those facts so the caller can decide on the rating
question (bot.services.console.csat).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

from bot import metrics
from bot.services.console import csat
from bot.store import conversations, inbound, transaction, turns

logger = logging.getLogger(__name__)


def finish_turn(
    conversation_id: str,
    channel: str,
    seconds: float,
    failed: bool,
    shown: Optional[str] = None,
    held: Optional[Dict[str, Any]] = None,
    pending_id: Optional[int] = None,
) -> Dict[str, Any]:
    """`shown` is the message as the citizen saw it (a button's title rather than its
    payload, a one-time code masked): what the review queue lists. `held`: the turn's
    transcript messages not written yet ({"channel", "recipient_id", "items"}, items as
    bot.store.conversations.write_messages takes them), written in the same transaction
    as the turn's row: one commit per turn. `pending_id`: the message's row in
    `inbound_pending` (channels/replay.py), deleted in that transaction, so the message is
    forgotten exactly when its answer is stored (facts["settled"]). The same transaction
    reads the conversation's open rating question (facts["open_ask"], for
    bot.services.console.csat.due_question) when the turn could ask it."""
    facts = turns.take_pending(conversation_id)
    if shown:
        facts["text"] = shown
    metrics.observe_reply(channel, seconds, failed)
    if facts.get("fallback") or failed:
        metrics.inc(metrics.FALLBACKS, channel)
    if facts.get("handoff"):
        metrics.inc(metrics.HANDOFFS, channel)
    ts = int(time.time())
    try:
        with transaction() as connection:
            if held:
                conversations.write_messages(
                    connection,
                    conversation_id,
                    held["channel"],
                    held["recipient_id"],
                    held["items"],
                )
            facts["turn_id"] = turns.write_turn(
                connection, conversation_id, channel, int(seconds * 1000), failed, ts, facts
            )
            if pending_id is not None:
                inbound.remove(pending_id, connection)
            if not failed and not facts.get("active"):
                facts["open_ask"] = csat.open_ask_in(connection, conversation_id)
        held = None  # committed
        facts["settled"] = pending_id is not None
    except Exception as e:  # the citizen already has their answer
        facts.pop("open_ask", None)
        metrics.inc(metrics.STORE_ERRORS, "database")
        logger.error("turn analytics not written: %s", type(e).__name__)
        if held:  # the transcript matters more than the analytics row
            try:
                conversations.record_messages(
                    conversation_id, held["channel"], held["recipient_id"], held["items"]
                )
            except Exception as again:
                logger.error("transcript not written: %s", type(again).__name__)
    return facts
