"""The console's daily rollup (`console_daily`): per Riyadh day and channel, the numbers
of conversations, turns, fallbacks and each conversation outcome, so that the volume,
containment and rate queries read a few hundred rows instead of every turn.

A day is rolled up once it can no longer change: a conversation's "came back within 24
hours" is known two days later, so days up to today − 2 are kept in the table and the
last two are computed live by the same SELECT (`daily_sql`). The rollup is brought up
to date by the first console request of a day (`ensure`), in one transaction; two
workers racing both try, one wins on the primary key, the other reads its rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.store import engine
from bot.store.turns import day_of

logger = logging.getLogger(__name__)
NAME = "daily"
SETTLED_AFTER_DAYS = 2
COLUMNS = (
    "day, channel, conversations, turns, fallbacks, contained, handed_off, "
    "ended_on_fallback, came_back"
)

_BACK = (
    "EXISTS (SELECT 1 FROM bot_turns r WHERE r.conversation_id = cd.conversation_id "
    "AND r.ts > cd.last_ts AND r.ts <= cd.last_ts + 86400)"
)


def daily_sql(first: str, last: str, channel: Optional[str] = None) -> str:
    """Per day and channel for days BETWEEN :{first} AND :{last} straight from bot_turns."""
    where = f"day BETWEEN :{first} AND :{last}"
    if channel:
        where += f" AND channel = :{channel}"
    return f"""
        SELECT cd.day AS day, cd.channel AS channel, COUNT(*) AS conversations,
          SUM(cd.turns) AS turns, SUM(cd.fallbacks) AS fallbacks,
          SUM(CASE WHEN cd.handed = 0 AND NOT t.fallback AND NOT {_BACK} THEN 1 ELSE 0 END)
            AS contained,
          SUM(cd.handed) AS handed_off,
          SUM(CASE WHEN cd.handed = 0 AND t.fallback THEN 1 ELSE 0 END) AS ended_on_fallback,
          SUM(CASE WHEN cd.handed = 0 AND NOT t.fallback AND {_BACK} THEN 1 ELSE 0 END)
            AS came_back
        FROM (
          SELECT conversation_id, day, channel, COUNT(*) AS turns,
                 SUM(CASE WHEN fallback THEN 1 ELSE 0 END) AS fallbacks,
                 MAX(id) AS last_id, MAX(ts) AS last_ts,
                 MAX(CASE WHEN handoff THEN 1 ELSE 0 END) AS handed
          FROM bot_turns WHERE {where} GROUP BY conversation_id, day, channel
        ) cd JOIN bot_turns t ON t.id = cd.last_id
        GROUP BY cd.day, cd.channel
    """


def settled_through(now: Optional[datetime] = None) -> int:
    return day_of((now or datetime.now(timezone.utc)).timestamp()) - SETTLED_AFTER_DAYS


def through_day() -> Optional[int]:
    with engine().connect() as c:
        return c.execute(
            text("SELECT through_day FROM console_rollups WHERE name = :n"), {"n": NAME}
        ).scalar()


def ensure(now: Optional[datetime] = None) -> int:
    """Roll up every settled day not rolled up yet; returns the last rolled-up day."""
    target = settled_through(now)
    done = through_day()
    if done is not None and done >= target:
        return done
    try:
        with engine().begin() as c:
            if done is None:
                first = c.execute(text("SELECT MIN(day) FROM bot_turns")).scalar()
                start = (first if first is not None else target + 1) - 1
                c.execute(
                    text("INSERT INTO console_rollups (name, through_day) VALUES (:n, :d)"),
                    {"n": NAME, "d": start},
                )
                done = start
            if done < target:
                c.execute(
                    text(f"INSERT INTO console_daily ({COLUMNS}) {daily_sql('a', 'b')}"),
                    {"a": done + 1, "b": target},
                )
                c.execute(
                    text(
                        "UPDATE console_rollups SET through_day = :d "
                        "WHERE name = :n AND through_day = :old"
                    ),
                    {"d": target, "n": NAME, "old": done},
                )
        return target
    except IntegrityError:  # another worker rolled the same days up first
        logger.info("console rollup done by another worker")
        return through_day() or target


def daily(first_day: int, last_day: int, channel: Optional[str]) -> str:
    """SQL for the per-day-and-channel rows of a period (rolled up + live), with its
    parameters bound under the names it uses. Call `ensure` first."""
    return f"""
        SELECT {COLUMNS} FROM console_daily
        WHERE day BETWEEN :d1 AND :rolled AND (:channel IS NULL OR channel = :channel)
        UNION ALL
        SELECT * FROM ({daily_sql("live1", "d2")}) live
        WHERE (:channel IS NULL OR live.channel = :channel)
    """


def params(first_day: int, last_day: int, channel: Optional[str], rolled: int) -> Dict[str, Any]:
    return {
        "d1": first_day,
        "d2": last_day,
        "channel": channel,
        "rolled": min(last_day, rolled),
        "live1": max(first_day, rolled + 1),
    }
