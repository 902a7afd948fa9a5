"""The console's daily rollups, per Riyadh day and channel: `console_daily` (numbers of
conversations, turns, fallbacks and each conversation outcome), `console_latency` (reply
latencies per 10 ms) and `console_forms` (forms started, completed, cancelled, and where
unfinished runs stopped), so that the console's queries read a few thousand rows
instead of every turn. None holds a conversation id: no personal data.

A day is rolled up once it can no longer change: a conversation's "came back within 24
hours" is known two days later, so days up to today − 2 are kept in the table and the
last two are computed live by the same SELECT (`daily_sql`). The rollup is brought up
to date by the first console request of a day (`ensure`), in one transaction; two
workers racing both try, one wins on the primary key, the other reads its rows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Dict, Optional

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.services.privacy.periods import Periods
from bot.store import engine

# The console's clock when no `now` is given; a test pins the day by replacing this name.
from bot.store.base import utcnow
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
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND NOT {_BACK} THEN 1 ELSE 0 END)
            AS contained,
          SUM(cd.handed) AS handed_off,
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 1 THEN 1 ELSE 0 END) AS ended_on_fallback,
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND {_BACK} THEN 1 ELSE 0 END)
            AS came_back
        FROM (
          SELECT conversation_id, day, channel, COUNT(*) AS turns,
                 SUM(CASE WHEN fallback THEN 1 ELSE 0 END) AS fallbacks,
                 MAX(ts) AS last_ts,
                 MAX(CASE WHEN handoff THEN 1 ELSE 0 END) AS handed,
                 -- the last turn's time and fallback flag in one number (2 × ts + flag),
                 -- so no second pass over the turns is needed to read the last one
                 MAX(CAST(ts AS BIGINT) * 2 + CASE WHEN fallback THEN 1 ELSE 0 END) AS last
          FROM bot_turns WHERE {where} GROUP BY conversation_id, day, channel
        ) cd
        GROUP BY cd.day, cd.channel
    """


LATENCY_COLUMNS = "day, channel, bucket, n"
LATENCY_BUCKET_MS = 10


def latency_sql(first: str, last: str) -> str:
    """Reply latencies per day, channel and 10 ms bucket."""
    return f"""
        SELECT day, channel, latency_ms / {LATENCY_BUCKET_MS} AS bucket, COUNT(*) AS n
        FROM bot_turns WHERE day BETWEEN :{first} AND :{last} AND latency_ms IS NOT NULL
        GROUP BY day, channel, latency_ms / {LATENCY_BUCKET_MS}
    """


FORM_COLUMNS = "day, channel, form, question, started, completed, cancelled, dropped"


def forms_sql(first: str, last: str) -> str:
    """Per day, channel and form: rows with question '' count started, completed and
    cancelled forms; the others count runs (one start to the next) that never completed,
    by the last question asked and the day it was asked. A run is followed within the
    days rolled up together (a day at a time once the rollup is current)."""
    days = f"day BETWEEN :{first} AND :{last}"
    return f"""
        SELECT day, channel, form, '' AS question,
          SUM(CASE WHEN form_event = 'started' THEN 1 ELSE 0 END) AS started,
          SUM(CASE WHEN form_event = 'completed' THEN 1 ELSE 0 END) AS completed,
          SUM(CASE WHEN form_event = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
          0 AS dropped
        FROM bot_turns WHERE {days} AND form IS NOT NULL AND form_event IS NOT NULL
        GROUP BY day, channel, form
        UNION ALL
        SELECT t.day, t.channel, runs.form, t.requested_slot, 0, 0, 0, COUNT(*)
        FROM (
          SELECT form, MAX(CASE WHEN form_event = 'completed' THEN 1 ELSE 0 END) AS done,
                 MAX(CASE WHEN requested_slot IS NOT NULL THEN id END) AS last_q
          FROM (
            SELECT id, conversation_id, form, form_event, requested_slot,
              SUM(CASE WHEN form_event = 'started' THEN 1 ELSE 0 END)
                OVER (PARTITION BY conversation_id, form ORDER BY id) AS run
            FROM bot_turns WHERE {days} AND form IS NOT NULL
          ) f
          WHERE run > 0 GROUP BY conversation_id, form, run
        ) runs JOIN bot_turns t ON t.id = runs.last_q
        WHERE runs.done = 0
        GROUP BY t.day, t.channel, runs.form, t.requested_slot
    """


TABLES = {
    "console_daily": (COLUMNS, lambda a, b: daily_sql(a, b)),
    "console_latency": (LATENCY_COLUMNS, latency_sql),
    "console_forms": (FORM_COLUMNS, forms_sql),
}


def settled_through(now: Optional[datetime] = None) -> int:
    return day_of((now or utcnow()).timestamp()) - SETTLED_AFTER_DAYS


def through_day(bind=None) -> Optional[int]:
    with (bind or engine()).connect() as c:
        return c.execute(
            text("SELECT through_day FROM console_rollups WHERE name = :n"), {"n": NAME}
        ).scalar()


def ensure(now: Optional[datetime] = None, bind=None, expire: bool = True) -> int:
    """Roll up every settled day not rolled up yet; returns the last rolled-up day. The
    retention purge passes its own engine (`bind`) and expires the rows itself."""
    target = settled_through(now)
    done = through_day(bind)
    if done is not None and done >= target:
        return done
    try:
        with (bind or engine()).begin() as c:
            if done is None:
                first = c.execute(text("SELECT MIN(day) FROM bot_turns")).scalar()
                start = (first if first is not None else target + 1) - 1
                c.execute(
                    text("INSERT INTO console_rollups (name, through_day) VALUES (:n, :d)"),
                    {"n": NAME, "d": start},
                )
                done = start
            if done < target:
                for table, (columns, select) in TABLES.items():
                    c.execute(
                        text(f"INSERT INTO {table} ({columns}) {select('a', 'b')}"),
                        {"a": done + 1, "b": target},
                    )
                if expire:
                    purge_expired(c, target, now)
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
        return through_day(bind) or target


def rows(table: str) -> str:
    """SQL for a period's rows of a rollup table: settled days from the table, the last
    two live from bot_turns; bind `params(...)`. Call `ensure` first."""
    columns, select = TABLES[table]
    return f"""
        SELECT {columns} FROM {table}
        WHERE day BETWEEN :d1 AND :rolled AND (:channel IS NULL OR channel = :channel)
        UNION ALL
        SELECT {columns} FROM ({select("live1", "d2")}) live
        WHERE (:channel IS NULL OR live.channel = :channel)
    """


ERASED = "erased"


def purge_expired(connection, rolled: int, now: Optional[datetime] = None) -> None:
    """Past RETENTION_TRANSCRIPT_DAYS, like the transcripts they point to: turn rows are
    deleted (their days are in the rollups already) and ratings lose their conversation
    id and comment (score, channel and day stay for the averages)."""
    days = Periods.from_env().transcripts
    if days <= 0:
        return
    cutoff = day_of((now or utcnow()).timestamp()) - days
    last = min(cutoff - 1, rolled)
    connection.execute(text("DELETE FROM bot_turns WHERE day <= :d"), {"d": last})
    connection.execute(
        text(
            "UPDATE csat_ratings SET conversation_id = :e, comment = NULL "
            "WHERE day <= :d AND conversation_id <> :e"
        ),
        {"d": cutoff - 1, "e": ERASED},
    )


def daily(first_day: int, last_day: int, channel: Optional[str]) -> str:
    return rows("console_daily")


def params(first_day: int, last_day: int, channel: Optional[str], rolled: int) -> Dict[str, Any]:
    return {
        "d1": first_day,
        "d2": last_day,
        "channel": channel,
        "rolled": min(last_day, rolled),
        "live1": max(first_day, rolled + 1),
    }
