"""Agent desk: support agents take over escalated conversations in a browser.

credentials.yml:   channels.desk.AgentDesk:

Served by the Rasa server itself (no build step), right to left, under /desk:
    GET  /desk/                     the desk (signed-in agents only; others go to /desk/login)
    GET  /desk/login, POST          sign in; POST /desk/logout signs out
    GET  /desk/static/<file>        desk.js, desk.css
    GET  /desk/api/me               the agent, the CSRF token, canned replies, ticket categories
    GET  /desk/api/queue            open handoffs: reason, channel, waiting time, who holds it
    GET  /desk/api/handoffs/<id>    one handoff: transcript, what the bot collected (masked),
                                    WhatsApp 24-hour window   (?since=<message id> for updates)
    POST /desk/api/handoffs/<id>/claim | release | reply | return | close | ticket

Agents: `python -m channels.desk create-agent <username>` (password from the terminal,
or the first line of stdin when piped); also set-password, disable-agent, list-agents.
There is no default account and no default password.

Security: passwords hashed with scrypt and a per-agent salt; sessions are random
tokens (only their SHA-256 is stored) in an HttpOnly, SameSite=Strict cookie that
expire after DESK_SESSION_HOURS (default 8) or DESK_IDLE_MINUTES without a request
(default 30); every POST needs the session's CSRF token (X-CSRF-Token header, or the
form field for sign-in/out) and, when the browser sends one, a same-origin Origin
header; repeated failed sign-ins are throttled. Every agent action is written to the
audit log (bot.store.audit). Personal numbers are masked in everything the desk shows.

Environment:
    DESK_SESSION_HOURS     absolute session lifetime (default 8)
    DESK_IDLE_MINUTES      idle timeout (default 30)
    DESK_COOKIE_SECURE     "1" to mark the cookie Secure (set it behind HTTPS)
    DESK_ORIGIN            the desk's public origin(s), comma-separated, when a reverse proxy
                           changes the Host header (default: the request's Host)
    DESK_POLL_SECONDS      how often the page polls for updates (default 3)
"""
from __future__ import annotations

import asyncio
import base64
import getpass
import hashlib
import hmac
import json
import logging
import secrets
import sys
import time
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlparse

import yaml
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import delete, select

from bot.content import fill
from bot.services import handoff
from bot.services.privacy import mask, mask_text
from bot.store import audit, session_scope
from bot.store.handoffs import Agent, AgentSession, aware, utcnow
from channels.settings import env_int, env_str

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "desk_static"
SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"
MAX_REPLY = 2000
MIN_PASSWORD = 10
TRANSCRIPT_LIMIT = 300

CHANNEL_LABELS = {"telegram": "تيليجرام", "whatsapp": "واتساب", "web": "الموقع", "rest": "REST"}
STATE_LABELS = {"queued": "بالانتظار", "agent": "مع موظف", "bot": "رجعت للمساعد",
                "closed": "مغلقة"}
AUTHOR_LABELS = {"citizen": "المواطن", "bot": "المساعد", "agent": "الموظف", "system": "النظام"}
# Slot names whose clear value (kept by Rasa's tracker) can fill a ticket the agent opens.
ID_SLOTS = ("ticket_national_id", "status_national_id", "objection_national_id", "national_id")
MOBILE_SLOTS = ("ticket_mobile", "mobile")

_STATIC_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no-referrer Chrome sends "Origin: null" on form posts.
    "Referrer-Policy": "same-origin",
}


# ============================================================== passwords and agents

_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """scrypt with a random 16-byte salt: "scrypt$n$r$p$<salt b64>$<hash b64>"."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the username is unknown, so a wrong username takes as long
    as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _check_new_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    if password.strip().lower() == username.strip().lower():
        raise ValueError("password must differ from the username")


def create_agent(username: str, password: str, display_name: Optional[str] = None) -> int:
    username = username.strip()
    if not username or len(username) > 80 or not username.replace("_", "").replace(".", "") \
            .replace("-", "").isalnum():
        raise ValueError("username: letters, digits, '.', '_' or '-' (at most 80)")
    _check_new_password(username, password)
    with session_scope() as s:
        if s.execute(select(Agent.id).where(Agent.username == username)).first():
            raise ValueError(f"agent {username!r} already exists")
        agent = Agent(username=username, display_name=(display_name or username)[:120],
                      password_hash=hash_password(password), active=True, created_at=utcnow())
        s.add(agent)
        s.flush()
        audit.record(s, "admin:cli", "agent.created", "agent", username)
        return agent.id


def set_password(username: str, password: str) -> None:
    _check_new_password(username, password)
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise ValueError(f"no agent {username!r}")
        agent.password_hash = hash_password(password)
        s.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        audit.record(s, "admin:cli", "agent.password_set", "agent", username)


def set_active(username: str, active: bool) -> None:
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise ValueError(f"no agent {username!r}")
        agent.active = active
        if not active:
            s.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        audit.record(s, "admin:cli", "agent.enabled" if active else "agent.disabled", "agent",
                     username)


def authenticate(username: str, password: str) -> Optional[Dict[str, Any]]:
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username.strip())).scalar_one_or_none()
        stored = agent.password_hash if agent is not None else _dummy_hash()
        ok = verify_password(password, stored) and agent is not None and agent.active
        if not ok:
            return None
        agent.last_login_at = utcnow()
        return {"id": agent.id, "username": agent.username,
                "display_name": agent.display_name or agent.username}


# ============================================================== sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session_hours() -> int:
    return env_int("DESK_SESSION_HOURS", 8)


def _idle_minutes() -> int:
    return env_int("DESK_IDLE_MINUTES", 30)


def start_session(agent_id: int, username: str) -> Tuple[str, str]:
    """(cookie token, CSRF token) for a freshly signed-in agent."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    with session_scope() as s:
        s.execute(delete(AgentSession).where(AgentSession.expires_at < now))
        s.add(AgentSession(token_hash=_token_hash(token), agent_id=agent_id, csrf_token=csrf,
                           created_at=now, last_seen_at=now,
                           expires_at=now + timedelta(hours=_session_hours())))
        audit.record(s, f"agent:{username}", "agent.signed_in", "agent", username)
    return token, csrf


def session_agent(token: Optional[str], now: Optional[datetime] = None) -> Optional[Dict[str, Any]]:
    """The signed-in agent for a cookie token, or None (unknown, expired, idle, disabled)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    with session_scope() as s:
        row = s.execute(
            select(AgentSession, Agent).join(Agent, Agent.id == AgentSession.agent_id)
            .where(AgentSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        sess, agent = row
        idle_limit = aware(sess.last_seen_at) + timedelta(minutes=_idle_minutes())
        if not agent.active or now >= aware(sess.expires_at) or now >= idle_limit:
            s.delete(sess)
            return None
        if (now - aware(sess.last_seen_at)).total_seconds() > 30:   # fewer writes while polling
            sess.last_seen_at = now
        return {"id": agent.id, "username": agent.username,
                "display_name": agent.display_name or agent.username,
                "csrf": sess.csrf_token, "session_id": sess.id}


def end_session(token: str, username: str) -> None:
    with session_scope() as s:
        s.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
        audit.record(s, f"agent:{username}", "agent.signed_out", "agent", username)


class LoginThrottle:
    """At most `limit` failed sign-ins per key (a username, a client address) in `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 900.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._fails: Dict[str, List[float]] = {}

    def _recent(self, key: str) -> List[float]:
        cutoff = self.clock() - self.window
        kept = [t for t in self._fails.get(key, []) if t > cutoff]
        if kept:
            self._fails[key] = kept
        else:
            self._fails.pop(key, None)
        return kept

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def failed(self, key: str) -> None:
        self._fails.setdefault(key, []).append(self.clock())
        if len(self._fails) > 10_000:   # bound memory under a spray of usernames
            for k in list(self._fails)[:5_000]:
                self._fails.pop(k, None)

    def succeeded(self, key: str) -> None:
        self._fails.pop(key, None)


# ============================================================== what the desk shows


def canned_replies(agent_name: str) -> List[Dict[str, str]]:
    with open(STATIC / "canned.yml", encoding="utf-8") as f:
        items = yaml.safe_load(f) or []
    return [{"key": i["key"], "title": i["title"],
             "text": fill(i["text"]).replace("{agent}", agent_name)} for i in items]


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def _conversation_label(view: handoff.HandoffView) -> str:
    """"#12" and, for phone-number channels, the number's last digits ("#12 · ••••5678")."""
    label = f"#{view.id}"
    if view.channel == "whatsapp":
        label += " · " + mask(view.conversation_id.split(":", 1)[-1], 0, 4)[-8:]
    return label


def agent_names() -> Dict[str, str]:
    with session_scope() as s:
        return {u: d or u for u, d in s.execute(select(Agent.username, Agent.display_name))}


def whatsapp_window(conversation_id: str, now: datetime) -> Dict[str, Any]:
    """Free-form WhatsApp replies are allowed for 24 h after the citizen's last message."""
    from bot.store import conversations

    conv = conversations.get_conversation(conversation_id)
    last = conv and conv.get("last_inbound_at")
    if not last:
        return {"open": False, "closes_at": None, "remaining_seconds": 0}
    closes = last + conversations.WHATSAPP_WINDOW
    remaining = int((closes - now).total_seconds())
    return {"open": remaining > 0, "closes_at": _iso(closes), "remaining_seconds": max(0, remaining)}


def queue_item(view: handoff.HandoffView, agent: str, now: datetime,
               names: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    item = {
        "id": view.id,
        "label": _conversation_label(view),
        "channel": view.channel,
        "channel_label": CHANNEL_LABELS.get(view.channel, view.channel),
        "state": view.state,
        "state_label": STATE_LABELS.get(view.state, view.state),
        "reason": view.reason,
        "reason_label": view.reason_label,
        "queued_at": _iso(view.queued_at),
        "waiting_seconds": view.waiting_seconds(now),
        "position": view.position,
        "claimed_by": view.claimed_by,
        "claimed_by_name": (names or {}).get(view.claimed_by, view.claimed_by),
        "mine": view.claimed_by == agent,
        "unread": bool(view.last_citizen_at and (view.last_agent_at is None
                                                  or view.last_citizen_at > view.last_agent_at)),
    }
    if view.channel == "whatsapp":
        item["whatsapp_window_open"] = whatsapp_window(view.conversation_id, now)["open"]
    return item


def transcript_items(conversation_id: str, since: int = 0) -> List[Dict[str, Any]]:
    from bot.store import conversations

    items = []
    for m in conversations.transcript(conversation_id, limit=TRANSCRIPT_LIMIT):
        if m["id"] <= since:
            continue
        items.append({"id": m["id"], "at": m["at"], "author": m["author"],
                      "author_label": AUTHOR_LABELS.get(m["author"], m["author"]),
                      "text": mask_text(m["text"]),
                      "buttons": [b.get("title", "") for b in m.get("buttons") or []]})
    return items


async def tracker_slots(app, conversation_id: str) -> Dict[str, Any]:
    """Current slot values from Rasa's tracker store (clear values: server side only)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return {}
    try:
        tracker = await store.retrieve(conversation_id)
    except Exception as e:
        logger.warning("desk: tracker unavailable: %s", type(e).__name__)
        return {}
    return tracker.current_slot_values() if tracker is not None else {}


# Arabic names of the slots agents see most (others are shown by their slot name).
SLOT_LABELS = {
    "elig_saudi": "سعودي الجنسية", "elig_exception": "استثناء الجنسية", "elig_age": "العمر",
    "elig_resident": "مقيم في المملكة", "elig_months_abroad": "أشهر السفر خارج المملكة",
    "elig_shelter": "في دار إيواء أو سجن", "elig_dependants": "عدد التابعين",
    "elig_dependants_adult": "التابعون 18 سنة فأكثر", "elig_independent": "مستقل بالسكن",
    "elig_income": "دخل الأسرة الشهري", "elig_assets": "أصول عالية القيمة",
    "ticket_national_id": "رقم الهوية", "ticket_mobile": "رقم الجوال",
    "ticket_category": "تصنيف البلاغ", "ticket_description": "وصف البلاغ",
    "last_ticket_number": "آخر بلاغ فُتح", "status_ticket_number": "البلاغ المستعلم عنه",
    "status_national_id": "هوية الاستعلام", "objection_national_id": "هوية صاحب الاعتراض",
    "objection_number": "رقم الاعتراض",
}


def collected(snapshot: Dict[str, Any], live: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What the bot collected, masked: the escalation snapshot updated by the live tracker,
    as [{"name", "label", "value"}], labelled slots first."""
    merged = dict(snapshot)
    merged.update(handoff.mask_snapshot(live))
    order = {name: i for i, name in enumerate(SLOT_LABELS)}
    return [{"name": name, "label": SLOT_LABELS.get(name, name), "value": merged[name]}
            for name in sorted(merged, key=lambda n: (order.get(n, len(order)), n))]


# ============================================================== the input channel


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
        # Per username: 5 failures in 15 minutes. Per address, more: agents behind one
        # office proxy share it, and one person's typos must not lock out the others.
        self.user_throttle = LoginThrottle(limit=5)
        self.address_throttle = LoginThrottle(limit=20)

    # -------------------------------------------------------------- helpers
    @staticmethod
    def _headers(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        headers = dict(_SECURITY_HEADERS)
        headers["Cache-Control"] = "no-store"
        if extra:
            headers.update(extra)
        return headers

    def _json(self, body: Any, status: int = 200) -> response.HTTPResponse:
        return response.json(body, status=status, headers=self._headers(),
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _page(self, name: str, replacements: Optional[Dict[str, str]] = None,
              status: int = 200) -> response.HTTPResponse:
        html = (STATIC / name).read_text(encoding="utf-8")
        for key, value in (replacements or {}).items():
            html = html.replace("{{" + key + "}}", value)
        return response.html(html, status=status, headers=self._headers())

    @staticmethod
    def _same_origin(request: Request) -> bool:
        """Browsers send Origin on POST; when present it must be this server (DESK_ORIGIN,
        e.g. "https://desk.example.sa", when a proxy rewrites the Host header)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        allowed = [o.strip().rstrip("/") for o in env_str("DESK_ORIGIN", "").split(",") if o.strip()]
        if allowed:
            return origin.rstrip("/") in allowed
        return urlparse(origin).netloc == request.headers.get("Host", "")

    @staticmethod
    def _cookie(resp: response.HTTPResponse, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["path"] = "/desk"
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["max-age"] = max_age
        if env_str("DESK_COOKIE_SECURE", "") in ("1", "true", "yes"):
            cookie["secure"] = True

    async def _agent(self, request: Request) -> Optional[Dict[str, Any]]:
        return await asyncio.to_thread(session_agent, request.cookies.get(SESSION_COOKIE))

    async def _api_agent(self, request: Request, write: bool) -> Tuple[Optional[Dict[str, Any]],
                                                                        Optional[response.HTTPResponse]]:
        agent = await self._agent(request)
        if agent is None:
            return None, self._json({"error": "signed_out"}, 401)
        if write:
            sent = request.headers.get("X-CSRF-Token", "")
            if not self._same_origin(request) or not hmac.compare_digest(
                    sent.encode(), agent["csrf"].encode()):
                return None, self._json({"error": "csrf"}, 403)
        return agent, None

    @staticmethod
    def _client_key(request: Request) -> str:
        return request.remote_addr or request.ip or "?"

    # -------------------------------------------------------------- routes
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("agent_desk", url_prefix="/desk")

        @bp.route("/", methods=["GET"])
        async def index(request: Request):
            if await self._agent(request) is None:
                return response.redirect("/desk/login", headers=self._headers())
            return self._page("index.html")

        @bp.route("/login", methods=["GET"])
        async def login_form(request: Request):
            if await self._agent(request) is not None:
                return response.redirect("/desk/", headers=self._headers())
            return self._login_page(request)

        @bp.route("/login", methods=["POST"])
        async def login(request: Request):
            form_token = request.form.get("csrf", "") if request.form else ""
            cookie_token = request.cookies.get(LOGIN_COOKIE, "")
            if (not self._same_origin(request) or not cookie_token
                    or not hmac.compare_digest(form_token.encode(), cookie_token.encode())):
                return self._login_page(request, "انتهت صلاحية الصفحة، حاول مرة ثانية.", 403)
            username = (request.form.get("username") or "").strip()[:80]
            password = request.form.get("password") or ""
            user_key, address_key = username.lower(), self._client_key(request)
            if self.user_throttle.blocked(user_key) or self.address_throttle.blocked(address_key):
                return self._login_page(request, "محاولات كثيرة، انتظر ربع ساعة ثم حاول.", 429)
            agent = await asyncio.to_thread(authenticate, username, password) if username else None
            if agent is None:
                self.user_throttle.failed(user_key)
                self.address_throttle.failed(address_key)
                await asyncio.to_thread(self._audit_failed_login, username)
                return self._login_page(request, "اسم المستخدم أو كلمة المرور غير صحيحة.", 401)
            self.user_throttle.succeeded(user_key)
            token, _csrf = await asyncio.to_thread(start_session, agent["id"], agent["username"])
            resp = response.redirect("/desk/", status=303, headers=self._headers())
            self._cookie(resp, SESSION_COOKIE, token, _session_hours() * 3600)
            self._cookie(resp, LOGIN_COOKIE, "", 0)
            return resp

        @bp.route("/logout", methods=["POST"])
        async def logout(request: Request):
            agent = await self._agent(request)
            resp = response.redirect("/desk/login", status=303, headers=self._headers())
            if agent is not None:
                sent = (request.form.get("csrf") if request.form else None) \
                    or request.headers.get("X-CSRF-Token", "")
                if not hmac.compare_digest(sent.encode(), agent["csrf"].encode()):
                    return self._json({"error": "csrf"}, 403)
                await asyncio.to_thread(end_session, request.cookies.get(SESSION_COOKIE),
                                        agent["username"])
            self._cookie(resp, SESSION_COOKIE, "", 0)
            return resp

        @bp.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str):
            path = STATIC / name
            content_type = _STATIC_TYPES.get(path.suffix)
            if content_type is None or "/" in name or name.startswith(".") or not path.is_file():
                return response.text("not found", status=404)
            return response.raw(path.read_bytes(), content_type=content_type,
                                headers=self._headers({"Cache-Control": "no-cache"}))

        @bp.route("/api/me", methods=["GET"])
        async def me(request: Request):
            agent, denied = await self._api_agent(request, write=False)
            if denied:
                return denied
            from bot.store.tickets import TICKET_CATEGORIES
            return self._json({
                "username": agent["username"], "display_name": agent["display_name"],
                "csrf": agent["csrf"], "canned": canned_replies(agent["display_name"]),
                "ticket_categories": [{"key": k, "label": v} for k, v in TICKET_CATEGORIES.items()],
                "poll_seconds": env_int("DESK_POLL_SECONDS", 3),
            })

        @bp.route("/api/queue", methods=["GET"])
        async def queue(request: Request):
            agent, denied = await self._api_agent(request, write=False)
            if denied:
                return denied
            now = utcnow()
            views = await asyncio.to_thread(handoff.queue)
            names = await asyncio.to_thread(agent_names) if views else {}
            items = [await asyncio.to_thread(queue_item, v, agent["username"], now, names)
                     for v in views]
            return self._json({"now": _iso(now), "in_working_hours": handoff.in_working_hours(now),
                               "items": items})

        @bp.route("/api/handoffs/<handoff_id:int>", methods=["GET"])
        async def detail(request: Request, handoff_id: int):
            agent, denied = await self._api_agent(request, write=False)
            if denied:
                return denied
            view = await asyncio.to_thread(handoff.get, handoff_id)
            if view is None:
                return self._json({"error": "not_found"}, 404)
            now = utcnow()
            first = request.args.get("since") is None      # the first load of this conversation
            since = _int(request.args.get("since"))
            body: Dict[str, Any] = {
                "handoff": await asyncio.to_thread(queue_item, view, agent["username"], now,
                                                   await asyncio.to_thread(agent_names)),
                "reason_detail": view.reason_detail,
                "ticket_ref": view.ticket_ref,
                "claimed_at": _iso(view.claimed_at),
                "ended_at": _iso(view.ended_at),
                "can_reply": view.state == handoff.AGENT and view.claimed_by == agent["username"],
                "messages": await asyncio.to_thread(transcript_items, view.conversation_id, since),
            }
            if view.channel == "whatsapp":
                body["whatsapp_window"] = await asyncio.to_thread(
                    whatsapp_window, view.conversation_id, now)
            if first:
                live = await tracker_slots(request.app, view.conversation_id)
                body["collected"] = collected(view.snapshot, live)
                body["known_ids"] = {
                    "national_id": _masked_first(live, ID_SLOTS, 1, 2),
                    "mobile": _masked_first(live, MOBILE_SLOTS, 2, 2),
                }
                await asyncio.to_thread(handoff.record_view, handoff_id, agent["username"])
            return self._json(body)

        @bp.route("/api/handoffs/<handoff_id:int>/<action:(claim|release|reply|return|close|ticket)>",
                  methods=["POST"])
        async def act(request: Request, handoff_id: int, action: str):
            agent, denied = await self._api_agent(request, write=True)
            if denied:
                return denied
            view = await asyncio.to_thread(handoff.get, handoff_id)
            if view is None:
                return self._json({"error": "not_found"}, 404)
            payload = request.json if isinstance(request.json, dict) else {}
            return await getattr(self, f"_do_{action}")(request, agent, view, payload)

        return bp

    # -------------------------------------------------------------- pages
    def _login_page(self, request: Request, error: str = "", status: int = 200):
        token = secrets.token_urlsafe(24)
        resp = self._page("login.html", {"csrf": token, "error": error,
                                          "error_class": "error" if error else "error hidden"},
                          status)
        self._cookie(resp, LOGIN_COOKIE, token, 3600)
        return resp

    @staticmethod
    def _audit_failed_login(username: str) -> None:
        with session_scope() as s:
            audit.record(s, "anonymous", "agent.sign_in_failed", "agent", username[:64] or "-")

    # -------------------------------------------------------------- actions
    async def _do_claim(self, request, agent, view, payload):
        won = await asyncio.to_thread(handoff.claim, view.id, agent["username"])
        if not won:
            return self._json({"error": "already_claimed",
                               "message": "سبقك موظف ثاني لهذه المحادثة."}, 409)
        _ok, note = await self._send(view, handoff.claim_message(agent["display_name"]), "system")
        return self._json({"ok": True, "note": note})

    async def _do_release(self, request, agent, view, payload):
        if not await asyncio.to_thread(handoff.release, view.id, agent["username"]):
            return self._json({"error": "not_yours"}, 409)
        return self._json({"ok": True})

    async def _do_reply(self, request, agent, view, payload):
        text = str(payload.get("text") or "").strip()
        if not text:
            return self._json({"error": "empty"}, 400)
        if len(text) > MAX_REPLY:
            return self._json({"error": "too_long", "max": MAX_REPLY}, 400)
        if view.channel == "whatsapp" and not (await asyncio.to_thread(
                whatsapp_window, view.conversation_id, utcnow()))["open"]:
            return self._json({"error": "whatsapp_window_closed",
                               "message": "انتهت نافذة الـ24 ساعة في واتساب: لا يمكن إرسال رد حر "
                                          "حتى يكتب المواطن من جديد."}, 409)
        canned = str(payload.get("canned") or "")[:40] or None
        if not await asyncio.to_thread(handoff.authorise_reply, view.id, agent["username"],
                                       len(text), canned):
            return self._json({"error": "not_yours",
                               "message": "المحادثة ليست معك الآن."}, 409)
        ok, note = await self._send(view, text, "agent")
        if not ok:
            await asyncio.to_thread(self._audit, agent, "handoff.reply_failed", view.id)
            return self._json({"error": "not_delivered",
                               "message": "تعذّر توصيل الرسالة للمواطن، حاول مرة ثانية."}, 502)
        return self._json({"ok": True, "note": note})

    async def _do_return(self, request, agent, view, payload):
        if not await asyncio.to_thread(handoff.return_to_bot, view.id, agent["username"]):
            return self._json({"error": "not_yours"}, 409)
        _ok, note = await self._send(view, handoff.RESUME_TEXT, "bot")
        return self._json({"ok": True, "note": note})

    async def _do_close(self, request, agent, view, payload):
        if not await asyncio.to_thread(handoff.close, view.id, agent["username"]):
            return self._json({"error": "not_yours"}, 409)
        _ok, note = await self._send(view, handoff.CLOSE_TEXT, "bot")
        return self._json({"ok": True, "note": note})

    async def _do_ticket(self, request, agent, view, payload):
        if view.state != handoff.AGENT or view.claimed_by != agent["username"]:
            return self._json({"error": "not_yours"}, 409)
        try:
            from bot.services import tickets
        except ImportError:  # pragma: no cover - the tickets feature ships with this project
            return self._json({"error": "tickets_unavailable"}, 501)
        from bot.services.validators import parse_mobile, parse_national_id

        live = await tracker_slots(request.app, view.conversation_id)
        # What the agent typed (any digits, any mobile format), else what the bot collected.
        typed_id, typed_mobile = str(payload.get("national_id") or ""), str(payload.get("mobile") or "")
        national_id = (parse_national_id(typed_id).value or typed_id.strip() if typed_id.strip()
                       else _first(live, ID_SLOTS) or "")
        mobile = (parse_mobile(typed_mobile).value or typed_mobile.strip() if typed_mobile.strip()
                  else _first(live, MOBILE_SLOTS) or "")
        category = str(payload.get("category") or "other")
        description = str(payload.get("description") or "").strip()
        nonce = str(payload.get("nonce") or secrets.token_hex(8))[:64]
        key = tickets.idempotency_key(view.conversation_id, f"desk:{view.id}:{nonce}")
        try:
            outcome = await asyncio.to_thread(
                tickets.submit_ticket, national_id, mobile, category, description, key,
                view.conversation_id, view.channel)
        except ValueError as e:
            return self._json({"error": "invalid", "message": _ticket_error(str(e))}, 400)
        if outcome.ticket is None:
            await asyncio.to_thread(self._audit, agent, "handoff.ticket_spooled", view.id)
            return self._json({"ok": True, "queued": True,
                               "message": "قاعدة البيانات غير متاحة: حُفظ البلاغ وسيُسجَّل تلقائيًا."})
        await asyncio.to_thread(handoff.record_ticket, view.id, agent["username"],
                                outcome.ticket.number)
        return self._json({"ok": True, "ticket": outcome.ticket.number, "sms_sent": outcome.sms_sent,
                           "suggested_reply": f"فتحت لك بلاغ في خدمة \"صوتك مسموع\" برقم "
                                              f"{outcome.ticket.number}، وبيوصلك رقمه برسالة نصية."})

    @staticmethod
    def _audit(agent, action: str, handoff_id: int) -> None:
        with session_scope() as s:
            audit.record(s, f"agent:{agent['username']}", action, "handoff", handoff_id)

    @staticmethod
    async def _send(view: handoff.HandoffView, text: str, author: str) -> Tuple[bool, str]:
        """Deliver on the citizen's own channel (channels.outbound records the transcript).
        (ok, note): a web citizen who is offline gets it from the history when they come
        back, a REST client cannot be pushed to (it is recorded); anything else not
        delivered is a failure the agent must see."""
        try:
            from channels.outbound import send_to_citizen

            result = await send_to_citizen(view.conversation_id, text, author=author)
        except Exception as e:
            logger.error("desk: delivery to %s failed: %s", view.channel, type(e).__name__)
            return False, ""
        if getattr(result, "delivered", False):
            return True, ""
        note = _DELIVERY_NOTES.get(getattr(result, "reason", None))
        if note and getattr(result, "recorded", False):
            return True, note
        return False, ""


_DELIVERY_NOTES = {
    "offline_stored": "المواطن غير متصل الآن، وبيشوف الرد أول ما يرجع للمحادثة.",
    "channel_cannot_push": "هذه القناة لا تستقبل رسائل مباشرة؛ حُفظ الرد في المحادثة.",
}


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _first(slots: Dict[str, Any], names: Tuple[str, ...]) -> Optional[str]:
    for name in names:
        if slots.get(name):
            return str(slots[name])
    return None


def _masked_first(slots: Dict[str, Any], names: Tuple[str, ...], start: int, end: int) -> Optional[str]:
    value = _first(slots, names)
    return mask(value, start, end) if value else None


def _ticket_error(message: str) -> str:
    return {
        "invalid national id": "رقم الهوية غير صحيح أو غير معروف: اطلبه من المواطن.",
        "invalid mobile": "رقم الجوال غير صحيح أو غير معروف: اطلبه من المواطن.",
        "empty description": "اكتب وصف البلاغ.",
    }.get(message, "بيانات البلاغ غير مكتملة.")


# ============================================================== command line


def _read_password(confirm: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat: ") != first:
            raise ValueError("passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def main(argv: List[str]) -> int:
    usage = ("usage: python -m channels.desk create-agent <username> [--name <display name>]\n"
             "       python -m channels.desk set-password <username>\n"
             "       python -m channels.desk disable-agent|enable-agent <username>\n"
             "       python -m channels.desk list-agents\n"
             "The password is read from the terminal (or the first line of stdin).")
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        return 0 if argv else 2
    from bot.store.migrate import upgrade

    upgrade()
    command, args = argv[0], argv[1:]
    try:
        if command == "create-agent" and args:
            name = args[args.index("--name") + 1] if "--name" in args else None
            create_agent(args[0], _read_password(), name)
            print(f"agent {args[0]!r} created")
        elif command == "set-password" and len(args) == 1:
            set_password(args[0], _read_password())
            print(f"password of {args[0]!r} changed; their sessions were ended")
        elif command in ("disable-agent", "enable-agent") and len(args) == 1:
            set_active(args[0], command == "enable-agent")
            print(f"agent {args[0]!r} {'enabled' if command == 'enable-agent' else 'disabled'}")
        elif command == "list-agents":
            with session_scope() as s:
                for a in s.execute(select(Agent).order_by(Agent.username)).scalars():
                    print(f"{a.username}\t{'active' if a.active else 'disabled'}\t{a.display_name}")
        else:
            print(usage, file=sys.stderr)
            return 2
    except (ValueError, IndexError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
