"""Working hours and the citizen's rough wait estimate."""

from __future__ import annotations

import logging
import math
import statistics
from datetime import datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot import settings
from bot.content import fact
from bot.store import session_scope
from bot.store.base import utcnow
from bot.store.handoffs import CLAIMED, HandoffPart, aware

logger = logging.getLogger(__name__)


def _hours() -> tuple:
    override = settings.get().handoff_hours  # e.g. "8-20"
    if override:
        opens, _, closes = override.partition("-")
        return int(opens), int(closes)
    return int(fact("contact.opens_hour")), int(fact("contact.closes_hour"))


def in_working_hours(now: Optional[datetime] = None) -> bool:
    """Agents work from opens_hour to closes_hour, Riyadh time (contact.* in program.yml)."""
    local = (now or utcnow()).astimezone(ZoneInfo(fact("contact.timezone")))
    opens, closes = _hours()
    return opens <= local.hour < closes


def _minutes_per_case() -> float:
    return settings.get().handoff_minutes_per_case


def estimated_wait_minutes(position: int, now: Optional[datetime] = None) -> int:
    """Rough wait for the citizen at `position`: how long recent citizens waited for a
    claim (median of the last few hours), plus a few minutes per citizen ahead."""
    now = now or utcnow()
    per_case = _minutes_per_case()
    try:
        with session_scope() as session:
            # Each claim's own wait (handoff_parts): a transfer is no wait of the citizen's.
            rows = session.execute(
                select(HandoffPart.waiting_since, HandoffPart.started_at)
                .where(
                    HandoffPart.began == CLAIMED,
                    HandoffPart.waiting_since.is_not(None),
                    HandoffPart.started_at >= now - timedelta(hours=3),
                )
                .order_by(HandoffPart.started_at.desc())
                .limit(20)
            ).all()
    except SQLAlchemyError as e:
        # The citizen is already queued; a rough estimate beats losing the whole reply.
        logger.warning("wait estimate without history: %s", type(e).__name__)
        rows = []
    waits = [(aware(c) - aware(q)).total_seconds() / 60 for q, c in rows]
    base = statistics.median(waits) if len(waits) >= 3 else per_case
    return max(1, math.ceil(base + per_case * max(0, position - 1)))
