"""The retention purge's steps for the supervisors' console (bot.services.privacy.retention.purge),
all on RETENTION_TRANSCRIPT_DAYS, the period of the conversations they come from:

    bot_turns       deleted by Riyadh day, once their day is in the daily rollups (which
                    hold counts only: console_daily, console_latency, console_forms,
                    console_topics)
    csat_ratings    anonymised by the day of the question: no conversation id, no comment;
                    score, day, channel and what was finished stay for the averages
    review_labels   deleted when labelled that long ago: the label's text is the citizen's
                    (masked) message, kept as long as a transcript would be, counted from
                    the labelling so that a late label still has a period to be exported

The console's own daily step (bot.services.console.rollup.purge_expired) applies the same
period when a supervisor opens the console; this runs even if nobody does.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, Dict

from sqlalchemy import and_
from sqlalchemy.engine import Engine

from bot.services.console import rollup as console_rollup
from bot.services.privacy.batches import delete_batched, update_batched
from bot.services.privacy.tables import (
    ANONYMISED_RATING,
    ERASED_CONVERSATION,
    LABELS,
    RATINGS,
    TURNS,
)
from bot.store.turns import day_of

logger = logging.getLogger(__name__)

ACTIONS = {"csat_ratings": "anonymised"}


def _roll_up(app: Engine, now: datetime) -> None:
    """Bring the rollups up to date first, so deleting a turn never loses its day's
    counts. A failure here must not keep personal data past its period: logged, and the
    purge goes on."""
    try:
        console_rollup.ensure(now, bind=app, expire=False)
    except Exception as e:
        logger.warning("console rollup before the purge failed: %s", type(e).__name__)


def steps(app: Engine, now: datetime, dry_run: bool, opts: Dict) -> Dict[str, Callable]:
    """name -> step(cutoff) for bot.services.privacy.retention.purge's `run`."""

    def turns(cutoff: datetime) -> int:
        if not dry_run:
            _roll_up(app, now)
        return delete_batched(app, TURNS, TURNS.c.day < day_of(cutoff.timestamp()), **opts)

    def ratings(cutoff: datetime) -> int:
        condition = and_(
            RATINGS.c.day < day_of(cutoff.timestamp()),
            RATINGS.c.conversation_id != ERASED_CONVERSATION,
        )
        return update_batched(app, RATINGS, condition, ANONYMISED_RATING, **opts)

    def labels(cutoff: datetime) -> int:
        return delete_batched(app, LABELS, LABELS.c.labelled_at < cutoff, **opts)

    return {"bot_turns": turns, "csat_ratings": ratings, "review_labels": labels}
