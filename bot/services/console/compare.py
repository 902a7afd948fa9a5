"""Two periods side by side: the console's key numbers for period A and period B and how
much A differs from B, each number defined as in bot.services.console.stats."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.services.console import stats
from bot.services.console.sql import _one, _share
from bot.services.console.stats import _TURNS, Period, _part_percentiles

# Shares and averages differ in points; counts and times also by a relative change.
MEASURES = (
    "conversations",
    "messages",
    "contained_share",
    "handoff_rate",
    "fallback_rate",
    "csat_average",
    "ratings",
    "wait_p50",
    "latency_p50_ms",
    "latency_p95_ms",
)
_POINTS = ("contained_share", "handoff_rate", "fallback_rate", "csat_average")


def key_numbers(period: Period) -> Dict[str, Optional[float]]:
    contained = stats.containment(period)
    turns, fell = stats._daily(period, "SUM(d.turns), SUM(d.fallbacks)")[0]
    # As the handoffs section: the rate is the share of conversations handed off, the
    # wait is per agent's part (from queued or released to their claim).
    handed_share = next(r[2] for r in contained["rows"] if r[0] == "handed_off")
    params = dict(period.params, start=period.start, end=period.end)
    wait_p50 = _part_percentiles("", params)[0]
    avg, rated = _one(
        f"SELECT AVG(score), COUNT(score) FROM csat_ratings WHERE {_TURNS}", period.params
    )
    latency = stats.latency(period)
    conversations = contained["conversations"]
    return {
        "conversations": conversations,
        "messages": int(turns or 0),
        "contained_share": contained["contained_share"],
        "handoff_rate": handed_share,
        "fallback_rate": _share(fell, turns),
        "csat_average": None if avg is None else round(float(avg), 2),
        "ratings": int(rated or 0),
        "wait_p50": wait_p50,
        "latency_p50_ms": latency["p50_ms"],
        "latency_p95_ms": latency["p95_ms"],
    }


def _change(measure: str, a: Optional[float], b: Optional[float]) -> List[Optional[float]]:
    """[A − B, the relative change in % (counts and times only)]."""
    if a is None or b is None:
        return [None, None]
    difference = round(float(a) - float(b), 2)
    if measure in _POINTS or not b:
        return [difference, None]
    return [difference, round(100.0 * (float(a) - float(b)) / float(b), 1)]


def compare(a: Period, b: Period) -> Dict[str, Any]:
    first, second = key_numbers(a), key_numbers(b)
    return {
        "columns": ["measure", "period_a", "period_b", "change", "change_pct"],
        "rows": [[m, first[m], second[m]] + _change(m, first[m], second[m]) for m in MEASURES],
    }
