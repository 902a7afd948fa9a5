"""Agent desk: support agents take over escalated conversations in a browser.

credentials.yml:   channels.desk.AgentDesk:

Served by the Rasa server itself (no build step), right to left, under /desk:
    GET  /desk/                     the desk (signed-in agents only; others go to /desk/login)
    GET  /desk/login, POST          sign in; POST /desk/logout signs out
    GET  /desk/static/<file>        desk-base.js, desk-queue.js, desk-view.js, desk-tickets.js,
                                    desk-team.js, desk.js, desk.css, favicon.svg
    GET  /desk/api/me               the agent, the CSRF token, canned replies, ticket categories
    GET  /desk/api/events           live notices (server-sent events, live.py)
    GET  /desk/api/queue            handoffs: reason, channel, waiting time, who holds it, the
                                    latest message, labels; ?filter=open|mine|waiting|closed|all
                                    and search (q, channel, agent, from, to)
    GET  /desk/api/handoffs/<id>    one handoff: transcript, notes, labels, what the bot
                                    collected (masked), linked tickets, WhatsApp window
                                    (?since=<message id> for updates)
    POST /desk/api/handoffs/<id>/claim | release | reply | return | close | ticket
                                 | transfer | note | label | unlabel | typing
    GET  /desk/api/tickets/<number> a "صوتك مسموع" ticket, its status and history (only one
                                    the agent may change: see channels/desk/tickets.py)
    POST /desk/api/tickets/<number>/status   change its status (the back office's rule)
    GET  /desk/api/agents           colleagues a conversation can be transferred to, online
                                    or when last seen
    POST /desk/api/agents/<username>/unlock   supervisors: forget a colleague's failed sign-ins

The package:
    routes.py     the routes above, thin
    responses.py  the sign-in page (HTTP shared with the console: channels/http.py)
    views.py      what the desk shows: labels, masking, queue items, transcripts, slots
    actions.py    claim, release, reply, return, close, ticket, transfer, notes, labels, typing
    tickets.py    the conversation's tickets, the look-up by number and the status change
    bridge.py     Rasa's tracker (live slots), delivery to the citizen and the widget's
                  holder and typing notices (channels.outbound)
    live.py       the event stream: notices from bot.services.handoff.events (Redis pub/sub
                  across workers when REDIS_URL is set)
    static/       the pages, their scripts (desk-base.js, desk-queue.js, desk-view.js: the
                  newest message in view and narrow screens, desk-tickets.js, desk-team.js:
                  colleagues, desk.js), desk.css,
                  favicon.svg, canned replies (canned.yml, not served)
Accounts, passwords and sessions: bot/services/desk/accounts.py; the sign-in throttle:
bot/services/desk/throttle.py.

Agents: `python -m bot.backoffice agents create <username>` (password from the terminal,
or the first line of stdin when piped); also set-password, disable, enable, list.
There is no default account and no default password.

Security: passwords hashed with scrypt and a per-agent salt; sessions are random
tokens (only their SHA-256 is stored) in an HttpOnly, SameSite=Strict cookie that
expire after DESK_SESSION_HOURS (default 8) or DESK_IDLE_MINUTES without a request
(default 30); every POST needs the session's CSRF token (X-CSRF-Token header, or the
form field for sign-in/out) and, when the browser sends one, a same-origin Origin
header; repeated failed sign-ins are slowed down with growing delays per username and
address (never a lock-out of the right password from the agent's usual address). Every agent action is written to the
audit log (bot.store.audit). Personal numbers are masked in everything the desk shows.

Environment (bot/settings.py):
    DESK_SESSION_HOURS     absolute session lifetime (default 8)
    DESK_IDLE_MINUTES      idle timeout (default 30)
    DESK_COOKIE_SECURE     "1" to mark the cookie Secure (set it behind HTTPS)
    DESK_ORIGIN            the desk's public origin(s), comma-separated, when a reverse proxy
                           changes the Host header (default: the request's Host)
    DESK_POLL_SECONDS      how often the page polls while its live stream is down (default 3)
    REDIS_URL              live notices and sign-in counters shared by every worker
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.services.desk.throttle import SignInThrottle
from channels.desk.routes import blueprint as _blueprint

__all__ = ["AgentDesk"]


class AgentDesk(InputChannel):
    """Not a citizen channel: it serves the agents' desk and never calls Rasa itself."""

    @classmethod
    def name(cls) -> str:
        return "desk"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "AgentDesk":
        return cls()

    def url_prefix(self) -> str:
        # Absolute: Rasa joins it to "/webhooks/" with urljoin, which keeps it as is.
        return "/desk"

    def __init__(self) -> None:
        # Growing delays per (username, address), shared through Redis when REDIS_URL
        # is set; never a lock-out of the right password from the agent's usual address.
        self.throttle = SignInThrottle.from_settings()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return _blueprint(self)
