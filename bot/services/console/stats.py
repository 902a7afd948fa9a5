"""The supervisors' console numbers, each one SQL query (or two) over indexed columns.

Every function takes a `Period` (Riyadh days, inclusive, and an optional channel) and
returns {"columns": [...], "rows": [[...], ...]} plus a few headline numbers, so the
page draws a table, a chart and a CSV from the same answer. Nothing loads transcripts
or Rasa trackers into Python. Settled days come from the rollups
(bot.services.console.rollup), the last two live. Percentiles are the database's: the
smallest value with at least p of the values at or below it (percentile_disc on
PostgreSQL, ORDER BY … OFFSET on SQLite; reply latency from its 10 ms histogram).

Definitions (docs/console.md says the same for supervisors):
- a *conversation* is one citizen on one channel on one Riyadh day with at least one
  bot turn (bot_turns rows grouped by conversation_id and day);
- *contained*: no handoff in it, its last bot answer was not a fallback, and the same
  conversation id has no bot turn in the 24 hours after its last one;
- a *fallback* turn: the NLU fell below its threshold (nlu_fallback), a fallback action
  ran, or the citizen got the "service unavailable" apology;
- the *handoff rate*: conversations with a handoff, of all conversations (the containment
  table's "handed off" row; the top card shows the same number);
- waits and handling times are per agent's part of an episode (handoff_parts): a
  transfer credits each agent with their own part, never the colleague's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from bot.masking import mask_text
from bot.services.console import rollup as console_rollup
from bot.services.console.sql import _one, _rows, _seconds, _share, percentiles
from bot.store.turns import day_start_ts

TOP_N = 30
LATEST_N = 50


@dataclass(frozen=True)
class Period:
    first_day: int
    last_day: int
    channel: Optional[str] = None

    @property
    def params(self) -> Dict[str, Any]:
        return {"d1": self.first_day, "d2": self.last_day, "channel": self.channel}

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(day_start_ts(self.first_day), timezone.utc)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(day_start_ts(self.last_day + 1), timezone.utc)


_TURNS = "day BETWEEN :d1 AND :d2 AND (:channel IS NULL OR channel = :channel)"


# ------------------------------------------------------------------------- per day


def _daily(period: Period, select: str, tail: str = "") -> List[List[Any]]:
    """`select` over the period's per-day-and-channel rows (bot.services.console.rollup:
    settled days from the rollup table, the last two live)."""
    rolled = console_rollup.ensure()
    rows = console_rollup.daily(period.first_day, period.last_day, period.channel)
    return _rows(
        f"SELECT {select} FROM ({rows}) d {tail}",
        console_rollup.params(period.first_day, period.last_day, period.channel, rolled),
    )


def volume(period: Period) -> Dict[str, Any]:
    rows = _daily(period, "d.day, d.channel, d.conversations, d.turns", "ORDER BY d.day, d.channel")
    return {
        "columns": ["day", "channel", "conversations", "messages"],
        "rows": [[int(a), b, int(c), int(n)] for a, b, c, n in rows],
    }


def containment(period: Period) -> Dict[str, Any]:
    row = _daily(
        period,
        "SUM(d.conversations), SUM(d.handed_off), SUM(d.ended_on_fallback), "
        "SUM(d.came_back), SUM(d.contained)",
    )[0]
    total, handed, ended_fallback, came_back, contained = [int(x or 0) for x in row]
    return {
        "conversations": total,
        "contained": contained,
        "contained_share": _share(contained, total),
        "columns": ["outcome", "conversations", "share"],
        "rows": [
            ["contained", contained, _share(contained, total)],
            ["handed_off", handed, _share(handed, total)],
            ["ended_on_fallback", ended_fallback, _share(ended_fallback, total)],
            ["came_back_within_24h", came_back, _share(came_back, total)],
        ],
    }


# ------------------------------------------------------------------------- handoffs

_HANDOFFS = "queued_at >= :start AND queued_at < :end AND (:channel IS NULL OR channel = :channel)"
# Each agent's part of the period's episodes (bot/store/handoffs.py, HandoffPart).
_PARTS = (
    "handoff_parts p JOIN handoffs h ON h.id = p.handoff_id "
    "WHERE h.queued_at >= :start AND h.queued_at < :end "
    "AND (:channel IS NULL OR h.channel = :channel)"
)


def _part_percentiles(where: str, params: Dict[str, Any]) -> List:
    """[wait p50, wait p95, handling p50, handling p95] of the parts `where` selects. A
    part's wait runs from when the citizen began waiting for it (queued, or released back
    to the queue) to its agent's claim; a transfer has none. Its handling runs from the
    claim or transfer to whatever ended it."""
    wait = _seconds("p.started_at", "p.waiting_since")
    handling = _seconds("p.ended_at", "p.started_at")
    return percentiles(f"SELECT {wait} AS x FROM {_PARTS}{where}", params) + percentiles(
        f"SELECT {handling} AS x FROM {_PARTS}{where}", params
    )


def handoffs(period: Period) -> Dict[str, Any]:
    params = dict(period.params, start=period.start, end=period.end)
    total = _one(f"SELECT COUNT(*) FROM handoffs WHERE {_HANDOFFS}", params)[0]
    # The rate is the containment table's "handed off" share, so the page shows one
    # number for it: conversations handed to an agent, of all conversations.
    handed = containment(period)
    rate = next(r[2] for r in handed["rows"] if r[0] == "handed_off")
    reasons = _rows(
        f"SELECT reason, COUNT(*) FROM handoffs WHERE {_HANDOFFS} GROUP BY reason "
        "ORDER BY COUNT(*) DESC, reason",
        params,
    )
    wait_p50, wait_p95, handling_p50, handling_p95 = _part_percentiles("", params)
    agents = [
        [agent, int(n)] + _part_percentiles(" AND p.agent = :agent", dict(params, agent=agent))
        for agent, n in _rows(
            f"SELECT p.agent, COUNT(DISTINCT p.handoff_id) FROM {_PARTS} "
            "GROUP BY p.agent ORDER BY p.agent",
            params,
        )
    ]
    return {
        "handoffs": int(total or 0),
        "rate": rate,
        "wait_p50": wait_p50,
        "wait_p95": wait_p95,
        "handling_p50": handling_p50,
        "handling_p95": handling_p95,
        "reasons": {"columns": ["reason", "handoffs"], "rows": reasons},
        "columns": [
            "agent",
            "handoffs",
            "wait_p50_s",
            "wait_p95_s",
            "handling_p50_s",
            "handling_p95_s",
        ],
        "rows": agents,
    }


# ------------------------------------------------------------------------- fallbacks


def fallbacks(period: Period) -> Dict[str, Any]:
    total, fell = _daily(period, "SUM(d.turns), SUM(d.fallbacks)")[0]
    latest = _rows(
        f"SELECT id, day, channel, text, intent, confidence FROM bot_turns "
        f"WHERE {_TURNS} AND fallback ORDER BY id DESC LIMIT {LATEST_N}",
        period.params,
    )
    return {
        "messages": int(total or 0),
        "fallbacks": int(fell or 0),
        "rate": _share(fell, total),
        "columns": ["turn", "day", "channel", "text", "intent", "confidence"],
        "rows": [r[:3] + [mask_text(r[3] or "")] + r[4:] for r in latest],
    }


# ------------------------------------------------------------------------- forms


def _rolled(period: Period, table: str, select: str, tail: str = "") -> List[List[Any]]:
    rolled = console_rollup.ensure()
    return _rows(
        f"SELECT {select} FROM ({console_rollup.rows(table)}) r {tail}",
        console_rollup.params(period.first_day, period.last_day, period.channel, rolled),
    )


def forms(period: Period) -> Dict[str, Any]:
    counts = _rolled(
        period,
        "console_forms",
        "r.form, SUM(r.started), SUM(r.completed), SUM(r.cancelled)",
        "WHERE r.question = '' GROUP BY r.form ORDER BY r.form",
    )
    # Where citizens drop off: for each run of a form (from one "started" to the next)
    # that never completed, the last question it asked.
    drop = _rolled(
        period,
        "console_forms",
        "r.form, r.question, SUM(r.dropped)",
        "WHERE r.question <> '' GROUP BY r.form, r.question "
        "ORDER BY r.form, SUM(r.dropped) DESC, r.question",
    )
    rows = []
    for form, started, completed, cancelled in counts:
        started, completed = int(started or 0), int(completed or 0)
        rows.append([form, started, completed, int(cancelled or 0), max(0, started - completed)])
    return {
        "columns": ["form", "started", "completed", "cancelled", "abandoned"],
        "rows": rows,
        "drop_off": {
            "columns": ["form", "last_question", "runs"],
            "rows": [[f, q, int(n)] for f, q, n in drop],
        },
    }


# ------------------------------------------------------------------------- intents


def intents(period: Period) -> Dict[str, Any]:
    top = _rows(
        f"SELECT intent, COUNT(*), AVG(confidence), "
        f"SUM(CASE WHEN fallback THEN 1 ELSE 0 END) FROM bot_turns "
        f"WHERE {_TURNS} AND intent IS NOT NULL GROUP BY intent "
        f"ORDER BY COUNT(*) DESC, intent LIMIT {TOP_N}",
        period.params,
    )
    rated = {
        intent: (avg, n)
        for intent, avg, n in _rows(
            f"SELECT intent, AVG(score), COUNT(score) FROM csat_ratings "
            f"WHERE {_TURNS} AND intent IS NOT NULL AND score IS NOT NULL GROUP BY intent",
            period.params,
        )
    }
    rows = []
    for intent, n, confidence, fell in top:
        avg, ratings = rated.get(intent, (None, 0))
        rows.append(
            [
                intent,
                n,
                None if confidence is None else round(float(confidence), 3),
                int(fell or 0),
                None if avg is None else round(float(avg), 2),
                int(ratings or 0),
            ]
        )
    return {
        "columns": ["intent", "messages", "avg_confidence", "fallbacks", "avg_rating", "ratings"],
        "rows": rows,
    }


# ------------------------------------------------------------------------- satisfaction


def satisfaction(period: Period) -> Dict[str, Any]:
    avg, n, asked = _one(
        f"SELECT AVG(score), COUNT(score), COUNT(*) FROM csat_ratings WHERE {_TURNS}",
        period.params,
    )
    distribution = dict(
        _rows(
            f"SELECT score, COUNT(*) FROM csat_ratings WHERE {_TURNS} AND score IS NOT NULL "
            "GROUP BY score",
            period.params,
        )
    )
    by_finished = _rows(
        f"SELECT finished, COUNT(*), COUNT(score), AVG(score) FROM csat_ratings WHERE {_TURNS} "
        "GROUP BY finished ORDER BY finished",
        period.params,
    )
    comments = _rows(
        f"SELECT day, channel, finished, agent, score, comment FROM csat_ratings "
        f"WHERE {_TURNS} AND comment IS NOT NULL ORDER BY id DESC LIMIT {LATEST_N}",
        period.params,
    )
    return {
        "average": None if avg is None else round(float(avg), 2),
        "ratings": int(n or 0),
        "asked": int(asked or 0),
        "response_rate": _share(n, asked),
        "distribution": {
            "columns": ["score", "ratings"],
            "rows": [[s, int(distribution.get(s, 0))] for s in (1, 2, 3, 4, 5)],
        },
        "columns": ["finished", "asked", "rated", "avg_rating"],
        "rows": [
            [f, int(a), int(r), None if v is None else round(float(v), 2)]
            for f, a, r, v in by_finished
        ],
        "comments": {
            "columns": ["day", "channel", "finished", "agent", "score", "comment"],
            "rows": [r[:5] + [mask_text(r[5] or "")] for r in comments],
        },
    }


# ------------------------------------------------------------------------- latency


def _latency_percentiles(period: Period, by_channel: bool) -> List[List[Any]]:
    """p50 and p95 from the 10 ms histogram: the smallest bucket with at least p of the
    replies at or below it, as its lower edge in ms."""
    part = "PARTITION BY h.channel " if by_channel else ""
    key = "h.channel" if by_channel else "'all'"
    step = console_rollup.LATENCY_BUCKET_MS
    return _rows(
        f"""
        SELECT c.grp, MIN(CASE WHEN c.cum >= 0.5 * c.total THEN c.bucket END) * {step},
               MIN(CASE WHEN c.cum >= 0.95 * c.total THEN c.bucket END) * {step}
        FROM (
          SELECT {key} AS grp, h.bucket,
                 SUM(h.n) OVER ({part}ORDER BY h.bucket) AS cum,
                 SUM(h.n) OVER ({part.strip()}) AS total
          FROM (
            SELECT {"r.channel, " if by_channel else ""}r.bucket, SUM(r.n) AS n
            FROM ({console_rollup.rows("console_latency")}) r
            GROUP BY {"r.channel, " if by_channel else ""}r.bucket
          ) h
        ) c GROUP BY c.grp ORDER BY c.grp
        """,
        console_rollup.params(
            period.first_day, period.last_day, period.channel, console_rollup.ensure()
        ),
    )


def latency(period: Period) -> Dict[str, Any]:
    rows = [
        [channel, None if a is None else float(a), None if b is None else float(b)]
        for channel, a, b in _latency_percentiles(period, by_channel=True)
    ]
    overall = _latency_percentiles(period, by_channel=False)
    p50, p95 = (float(overall[0][1]), float(overall[0][2])) if overall else (None, None)
    return {"p50_ms": p50, "p95_ms": p95, "columns": ["channel", "p50_ms", "p95_ms"], "rows": rows}


SECTIONS = {
    "volume": volume,
    "containment": containment,
    "handoffs": handoffs,
    "fallbacks": fallbacks,
    "forms": forms,
    "intents": intents,
    "satisfaction": satisfaction,
    "latency": latency,
}
