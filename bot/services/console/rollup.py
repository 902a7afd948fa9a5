"""The console's daily rollups, per Riyadh day and channel: `console_daily` (numbers of
conversations, turns, fallbacks and each conversation outcome), `console_latency` (reply
latencies per 10 ms), `console_forms` (forms started, completed, cancelled, and where
unfinished runs stopped) and `console_topics` (the outcome of the conversations each FAQ
answer or form was part of, and their ratings), so that the console's queries read a
few thousand rows instead of every turn. None holds a conversation id: no personal data.

A day is rolled up once it can no longer change: a conversation's "came back within 24
hours" is known two days later, so days up to today − 2 are kept in the table and the
last two are computed live by the same SELECT (`daily_sql`). The rollup is brought up
to date by the first console request of a day (`ensure`), in one transaction; two
workers racing both try, one wins on the primary key, the other reads its rows. Each
group of tables (`GROUPS`) keeps its own last rolled-up day, so a table added later is
filled from the turn rows still kept the first time it runs.
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
TOPICS = "topics"
SETTLED_AFTER_DAYS = 2
COLUMNS = (
    "day, channel, conversations, turns, fallbacks, contained, handed_off, "
    "ended_on_fallback, came_back"
)

_BACK = (
    "EXISTS (SELECT 1 FROM bot_turns r WHERE r.conversation_id = cd.conversation_id "
    "AND r.ts > cd.last_ts AND r.ts <= cd.last_ts + 86400)"
)


def _conversations(where: str) -> str:
    """One row per conversation (conversation id × day) of the turns `where` selects."""
    return f"""
          SELECT conversation_id, day, channel, COUNT(*) AS turns,
                 SUM(CASE WHEN fallback THEN 1 ELSE 0 END) AS fallbacks,
                 MAX(ts) AS last_ts,
                 MAX(CASE WHEN handoff THEN 1 ELSE 0 END) AS handed,
                 -- the last turn's time and fallback flag in one number (2 × ts + flag),
                 -- so no second pass over the turns is needed to read the last one
                 MAX(CAST(ts AS BIGINT) * 2 + CASE WHEN fallback THEN 1 ELSE 0 END) AS last
          FROM bot_turns WHERE {where} GROUP BY conversation_id, day, channel
    """


# Each outcome of a conversation `cd` (exclusive: handed off, ended on a fallback, came
# back within 24 hours, contained).
_CONTAINED = f"CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND NOT {_BACK} THEN 1 ELSE 0 END"
_FELL = "CASE WHEN cd.handed = 0 AND cd.last % 2 = 1 THEN 1 ELSE 0 END"
_CAME_BACK = f"CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND {_BACK} THEN 1 ELSE 0 END"


def daily_sql(first: str, last: str, channel: Optional[str] = None) -> str:
    """Per day and channel for days BETWEEN :{first} AND :{last} straight from bot_turns."""
    where = f"day BETWEEN :{first} AND :{last}"
    if channel:
        where += f" AND channel = :{channel}"
    return f"""
        SELECT cd.day AS day, cd.channel AS channel, COUNT(*) AS conversations,
          SUM(cd.turns) AS turns, SUM(cd.fallbacks) AS fallbacks,
          SUM({_CONTAINED}) AS contained, SUM(cd.handed) AS handed_off,
          SUM({_FELL}) AS ended_on_fallback, SUM({_CAME_BACK}) AS came_back
        FROM ({_conversations(where)}) cd
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


TOPIC_COLUMNS = (
    "day, channel, topic, conversations, contained, handed_off, ended_on_fallback, "
    "came_back, rating_sum, ratings"
)


def topics_sql(first: str, last: str) -> str:
    """Per day, channel and topic (an FAQ answer "faq/<key>", or a form that was started):
    the conversations it was part of by outcome (each counts once for every topic in it),
    and the ratings given in them."""
    days = f"day BETWEEN :{first} AND :{last}"
    # The outcome of each conversation in one CASE (0 contained, 1 handed off, 2 ended on
    # a fallback, 3 came back): the 24-hour look-ahead runs once per conversation and
    # topic, and only for those neither handed off nor ended on a fallback.
    outcome = (
        f"CASE WHEN cd.handed = 1 THEN 1 WHEN cd.last % 2 = 1 THEN 2 WHEN {_BACK} THEN 3 ELSE 0 END"
    )
    counts = ", ".join(
        f"SUM(CASE WHEN o.outcome = {i} THEN 1 ELSE 0 END) AS {name}"
        for i, name in enumerate(("contained", "handed_off", "ended_on_fallback", "came_back"))
    )
    return f"""
        SELECT o.day AS day, o.channel AS channel, o.topic AS topic,
          COUNT(*) AS conversations, {counts},
          COALESCE(SUM(rt.total), 0) AS rating_sum, COALESCE(SUM(rt.n), 0) AS ratings
        FROM (
          SELECT t.conversation_id, t.day, t.channel, t.topic, {outcome} AS outcome
          FROM (
            SELECT DISTINCT conversation_id, day, channel,
              CASE WHEN form_event = 'started' THEN form ELSE intent END AS topic
            FROM bot_turns WHERE {days} AND (intent LIKE 'faq/%' OR form_event = 'started')
          ) t
          JOIN ({_conversations(days)}) cd
            ON cd.conversation_id = t.conversation_id AND cd.day = t.day
        ) o
        LEFT JOIN (
          SELECT conversation_id, day, SUM(score) AS total, COUNT(score) AS n
          FROM csat_ratings WHERE {days} AND score IS NOT NULL GROUP BY conversation_id, day
        ) rt ON rt.conversation_id = o.conversation_id AND rt.day = o.day
        GROUP BY o.day, o.channel, o.topic
    """


TABLES = {
    "console_daily": (COLUMNS, lambda a, b: daily_sql(a, b)),
    "console_latency": (LATENCY_COLUMNS, latency_sql),
    "console_forms": (FORM_COLUMNS, forms_sql),
    "console_topics": (TOPIC_COLUMNS, topics_sql),
}
# Tables rolled up together, each group with its own last day in console_rollups.
GROUPS = {
    NAME: ("console_daily", "console_latency", "console_forms"),
    TOPICS: ("console_topics",),
}


def settled_through(now: Optional[datetime] = None) -> int:
    return day_of((now or utcnow()).timestamp()) - SETTLED_AFTER_DAYS


def through_day(bind=None, name: str = NAME) -> Optional[int]:
    with (bind or engine()).connect() as c:
        return c.execute(
            text("SELECT through_day FROM console_rollups WHERE name = :n"), {"n": name}
        ).scalar()


def ensure(now: Optional[datetime] = None, bind=None, expire: bool = True) -> int:
    """Roll up every settled day not rolled up yet; returns the last rolled-up day. The
    retention purge passes its own engine (`bind`) and expires the rows itself."""
    target = settled_through(now)
    done = {name: through_day(bind, name) for name in GROUPS}
    if all(d is not None and d >= target for d in done.values()):
        return done[NAME]
    try:
        with (bind or engine()).begin() as c:
            for name, tables in GROUPS.items():
                _roll(c, name, tables, done[name], target)
            if expire:
                purge_expired(c, target, now)
        return target
    except IntegrityError:  # another worker rolled the same days up first
        logger.info("console rollup done by another worker")
        return through_day(bind) or target


def _roll(c, name: str, tables, done: Optional[int], target: int) -> None:
    """One group's tables from the day after `done` through `target` (from the first
    day with turns when the group was never rolled up)."""
    if done is None:
        first = c.execute(text("SELECT MIN(day) FROM bot_turns")).scalar()
        done = (first if first is not None else target + 1) - 1
        c.execute(
            text("INSERT INTO console_rollups (name, through_day) VALUES (:n, :d)"),
            {"n": name, "d": done},
        )
    if done >= target:
        return
    for table in tables:
        columns, select = TABLES[table]
        c.execute(
            text(f"INSERT INTO {table} ({columns}) {select('a', 'b')}"),
            {"a": done + 1, "b": target},
        )
    c.execute(
        text("UPDATE console_rollups SET through_day = :d WHERE name = :n AND through_day = :old"),
        {"d": target, "n": name, "old": done},
    )


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
