"""Outcome per topic: for each FAQ answer and each form, how the conversations it was part
of ended (contained, handed off, ended on a fallback, came back within 24 hours), how
many of the form's runs were abandoned, and the rating given in those conversations, so
a supervisor sees which answers to fix first.

A *topic* is an FAQ answer (a turn whose intent is "faq/<key>") or a form (a turn that
started it). A conversation (one citizen on one channel on one Riyadh day) counts once
for every topic in it, with the conversation's outcome as bot.services.console.stats
defines it (the same SQL as the daily rollup). Read from the turn rows themselves, so
only days within RETENTION_TRANSCRIPT_DAYS have them.
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.services.console.rollup import _BACK
from bot.services.console.sql import _rows, _share
from bot.services.console.stats import _TURNS, Period

# One row per (conversation, day, topic) of the period.
_TOPICS = f"""
    SELECT DISTINCT conversation_id, day,
      CASE WHEN form_event = 'started' THEN form ELSE intent END AS topic
    FROM bot_turns
    WHERE {_TURNS} AND (intent LIKE 'faq/%' OR form_event = 'started')
"""
# One row per conversation of the period: its last turn and whether it was handed off
# (as rollup.daily_sql: the last turn's time and fallback flag as 2 × ts + flag).
_CONVERSATIONS = f"""
    SELECT conversation_id, day, MAX(ts) AS last_ts,
      MAX(CASE WHEN handoff THEN 1 ELSE 0 END) AS handed,
      MAX(CAST(ts AS BIGINT) * 2 + CASE WHEN fallback THEN 1 ELSE 0 END) AS last
    FROM bot_turns WHERE {_TURNS} GROUP BY conversation_id, day
"""

COLUMNS = [
    "topic",
    "conversations",
    "contained",
    "handed_off",
    "ended_on_fallback",
    "came_back",
    "abandoned",
    "contained_share",
    "avg_rating",
    "ratings",
]


def outcomes(period: Period) -> Dict[str, Any]:
    """The topics of the period, the ones whose conversations most often ended other than
    contained first."""
    counted = _rows(
        f"""
        SELECT t.topic, COUNT(*),
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND NOT {_BACK} THEN 1 ELSE 0 END),
          SUM(cd.handed),
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 1 THEN 1 ELSE 0 END),
          SUM(CASE WHEN cd.handed = 0 AND cd.last % 2 = 0 AND {_BACK} THEN 1 ELSE 0 END)
        FROM ({_TOPICS}) t
        JOIN ({_CONVERSATIONS}) cd ON cd.conversation_id = t.conversation_id AND cd.day = t.day
        GROUP BY t.topic
        """,
        period.params,
    )
    runs = {
        form: (int(started or 0), int(completed or 0))
        for form, started, completed in _rows(
            f"SELECT form, SUM(CASE WHEN form_event = 'started' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN form_event = 'completed' THEN 1 ELSE 0 END) FROM bot_turns "
            f"WHERE {_TURNS} AND form IS NOT NULL AND form_event IS NOT NULL GROUP BY form",
            period.params,
        )
    }
    rated = {
        topic: (avg, int(n or 0))
        for topic, avg, n in _rows(
            f"SELECT t.topic, AVG(c.score), COUNT(c.score) FROM ({_TOPICS}) t "
            "JOIN csat_ratings c ON c.conversation_id = t.conversation_id AND c.day = t.day "
            "WHERE c.score IS NOT NULL GROUP BY t.topic",
            period.params,
        )
    }
    rows: List[List[Any]] = []
    for topic, total, contained, handed, fell, back in counted:
        total, contained = int(total), int(contained or 0)
        started, completed = runs.get(topic, (None, None))
        avg, ratings = rated.get(topic, (None, 0))
        rows.append(
            [
                topic,
                total,
                contained,
                int(handed or 0),
                int(fell or 0),
                int(back or 0),
                None if started is None else max(0, started - completed),
                _share(contained, total),
                None if avg is None else round(float(avg), 2),
                ratings,
            ]
        )
    # To fix first: the most conversations not contained plus runs abandoned.
    rows.sort(key=lambda r: (-(r[1] - r[2] + (r[6] or 0)), -r[1], r[0]))
    return {"columns": list(COLUMNS), "rows": rows}
