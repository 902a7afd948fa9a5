"""Supervisors' console: how the assistant serves citizens, what they rate it, and the
review queue that turns its misunderstandings into training data. Also `GET /metrics`.

credentials.yml:   channels.console.SupervisorConsole:

Served by the Rasa server itself, right to left, under /desk/console so that the desk's
sign-in cookie (path /desk) signs supervisors in too; /console redirects there.
    GET  /desk/console/                      the page (supervisors; agents 403; others to
                                             the desk's sign-in page)
    GET  /desk/console/static/<file>         console.js, console.css, Chart.js (vendored)
    GET  /desk/console/api/me                the supervisor and the CSRF token
    GET  /desk/console/api/stats/<section>   one section's numbers (?from=&to=&channel=;
                                             compare also &from_b=&to_b=; from after
                                             to: 400 bad_period)
    GET  /desk/console/api/csv/<section>     the same as CSV (&table= for a sub-table)
    GET  /desk/console/api/review            the review queue (?reason=&labelled=1)
    POST /desk/console/api/review/<turn id>  label a message (CSRF)
    GET  /desk/console/api/new-topics        "new topic" notes, as a report
    GET  /desk/console/api/content…          the content section (channels/console/content_routes.py):
                                             items ?q=, item ?key=, check, changes, approve,
                                             reject, publish, releases, rollback, live
    GET  /desk/console/api/training…         new questions (channels/console/training_routes.py):
                                             faq, faq/check, reviewed, changes/<id>/<step>,
                                             jobs (start, poll), jobs/<id>/approve|discard,
                                             rollback
    GET  /metrics                            Prometheus text format (METRICS_TOKEN or
                                             METRICS_INTERNAL; otherwise 404)

The package: routes.py (thin), views.py (periods, CSV, what a page shows),
hooks.py (the console's hooks into the pipeline and the desk), static/.
Numbers: bot/services/console/stats.py, outcome per topic topics.py, two periods
compare.py, what a supervisor reads instead of codes labels.py; ratings: bot/services/console/csat.py; review queue
and export: bot/services/console/review.py, bot/services/console/review_export.py.
Every console request is written to the audit log; personal numbers are masked.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

__all__ = ["SupervisorConsole"]


class SupervisorConsole(InputChannel):
    """Not a citizen channel: it serves the console and /metrics, never calls Rasa."""

    @classmethod
    def name(cls) -> str:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "SupervisorConsole":
        return cls()

    def url_prefix(self) -> str:
        # Absolute routes (/desk/console/…, /console, /metrics): Rasa joins "/" to
        # "/webhooks/" as "/", and Sanic drops the doubled slash.
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        from channels.console.routes import blueprint

        return blueprint()
