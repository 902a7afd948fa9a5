"""Outcome per topic: for each FAQ answer and each form, how the conversations it was part
of ended (contained, handed off, ended on a fallback, came back within 24 hours), how
many of the form's runs were abandoned, and the rating given in those conversations, so
a supervisor sees which answers to fix first.

A *topic* is an FAQ answer (a turn whose intent is "faq/<key>") or a form (a turn that
started it). A conversation (one citizen on one channel on one Riyadh day) counts once
for every topic in it, with the conversation's outcome as bot.services.console.stats
defines it. Settled days come from the `console_topics` rollup, the last two live
(bot.services.console.rollup.topics_sql); abandoned runs are the forms section's
(started − completed).
"""

from __future__ import annotations

from typing import Any, Dict, List

from bot.services.console.sql import _share
from bot.services.console.stats import Period, _rolled

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
    """The topics of the period, the ones to fix first (most conversations not contained
    plus runs abandoned) first."""
    counted = _rolled(
        period,
        "console_topics",
        "r.topic, SUM(r.conversations), SUM(r.contained), SUM(r.handed_off), "
        "SUM(r.ended_on_fallback), SUM(r.came_back), SUM(r.rating_sum), SUM(r.ratings)",
        "GROUP BY r.topic",
    )
    runs = {
        form: max(0, int(started or 0) - int(completed or 0))
        for form, started, completed in _rolled(
            period,
            "console_forms",
            "r.form, SUM(r.started), SUM(r.completed)",
            "WHERE r.question = '' GROUP BY r.form",
        )
    }
    rows: List[List[Any]] = []
    for topic, total, contained, handed, fell, back, rating_sum, ratings in counted:
        total, contained, ratings = int(total), int(contained or 0), int(ratings or 0)
        rows.append(
            [
                topic,
                total,
                contained,
                int(handed or 0),
                int(fell or 0),
                int(back or 0),
                None if topic.startswith("faq/") else runs.get(topic, 0),
                _share(contained, total),
                round(float(rating_sum) / ratings, 2) if ratings else None,
                ratings,
            ]
        )
    rows.sort(key=lambda r: (-(r[1] - r[2] + (r[6] or 0)), -r[1], r[0]))
    return {"columns": list(COLUMNS), "rows": rows}
