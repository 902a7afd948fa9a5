"""The desk's routes under /desk (see channels/desk/__init__.py for the list).

Thin: sign-in and sessions are bot.services.desk.accounts's, what a page shows is
channels.desk.views', what an agent does is channels.desk.actions'.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from sanic import Blueprint
from sanic.request import Request

from bot import settings
from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.services.desk.throttle import wait_text
from bot.store.base import utcnow
from channels.desk import bridge, live, views
from channels.desk import tickets as desk_tickets
from channels.desk.actions import ACTIONS
from channels.desk.responses import desk_page, login_page
from channels.desk.views import STATIC
from channels.edge import client_address
from channels.http import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    json_body,
    json_response,
    redirect,
    same_origin,
    set_cookie,
    signed_in,
    staff,
    static_file,
    tokens_match,
)


async def api_agent(request: Request, write: bool):
    """The signed-in agent (any role), or the 401/403 to answer (channels/http.py)."""
    return await staff(request, write)


def _client_key(request: Request) -> str:
    # The client behind TRUSTED_PROXIES (channels/edge.py): behind a reverse proxy every
    # agent would otherwise share the proxy's address, and "usual address" would mean nothing.
    return client_address(request) or "?"


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def blueprint(desk) -> Blueprint:
    """`desk` is the AgentDesk channel: it holds the sign-in throttles."""
    bp = Blueprint("agent_desk", url_prefix="/desk")

    @bp.route("/", methods=["GET"])
    async def index(request: Request):
        if await signed_in(request) is None:
            return redirect("/desk/login")
        return desk_page("index.html")

    @bp.route("/login", methods=["GET"])
    async def login_form(request: Request):
        if await signed_in(request) is not None:
            return redirect("/desk/")
        return login_page()

    @bp.route("/login", methods=["POST"])
    async def login(request: Request):
        form_token = request.form.get("csrf", "") if request.form else ""
        cookie_token = request.cookies.get(LOGIN_COOKIE, "")
        if (
            not same_origin(request)
            or not cookie_token
            or not tokens_match(form_token, cookie_token)
        ):
            return login_page("انتهت صلاحية الصفحة، حاول مرة ثانية.", 403)
        username = (request.form.get("username") or "").strip()[:80]
        password = request.form.get("password") or ""
        address = _client_key(request)
        throttle = desk.throttle
        reset_at = await asyncio.to_thread(desk_auth.throttle_reset_at, username)
        verdict = await asyncio.to_thread(throttle.check, username, address, reset_at)
        if not verdict.allowed:
            return login_page(
                f"محاولات كثيرة. انتظر {wait_text(verdict.wait_seconds)} ثم حاول مرة ثانية.",
                429,
            )
        agent = (
            await asyncio.to_thread(desk_auth.authenticate, username, password)
            if username
            else None
        )
        if agent is None:
            await asyncio.to_thread(throttle.failed, username, address)
            await asyncio.to_thread(desk_auth.record_failed_sign_in, username)
            return login_page("اسم المستخدم أو كلمة المرور غير صحيحة.", 401)
        await asyncio.to_thread(throttle.succeeded, username, address)
        token, _csrf = await asyncio.to_thread(
            desk_auth.start_session, agent["id"], agent["username"]
        )
        resp = redirect("/desk/", status=303)
        set_cookie(resp, SESSION_COOKIE, token, desk_auth.session_hours() * 3600)
        set_cookie(resp, LOGIN_COOKIE, "", 0)
        return resp

    @bp.route("/logout", methods=["POST"])
    async def logout(request: Request):
        agent = await signed_in(request)
        resp = redirect("/desk/login", status=303)
        if agent is not None:
            sent = (request.form.get("csrf") if request.form else None) or request.headers.get(
                "X-CSRF-Token", ""
            )
            if not tokens_match(sent, agent["csrf"]):
                return json_response({"error": "csrf"}, 403)
            await asyncio.to_thread(
                desk_auth.end_session, request.cookies.get(SESSION_COOKIE), agent["username"]
            )
        set_cookie(resp, SESSION_COOKIE, "", 0)
        return resp

    @bp.route("/static/<name>", methods=["GET"])
    async def static(request: Request, name: str):
        return static_file(STATIC, name)

    @bp.route("/api/me", methods=["GET"])
    async def me(request: Request):
        agent, denied = await api_agent(request, write=False)
        if denied:
            return denied
        from bot.services.tickets.labels import TICKET_CATEGORIES

        return json_response(
            {
                "username": agent["username"],
                "display_name": agent["display_name"],
                "csrf": agent["csrf"],
                "canned": views.canned_replies(agent["display_name"]),
                "ticket_categories": [{"key": k, "label": v} for k, v in TICKET_CATEGORIES.items()],
                "ticket_statuses": desk_tickets.statuses(),
                "poll_seconds": settings.get().desk_poll_seconds,
                "supervisor": bool(agent.get("supervisor")),
                "agents": await asyncio.to_thread(desk_auth.active_agents),
                "filters": list(handoff.FILTERS),
            }
        )

    @bp.route("/api/events", methods=["GET"])
    async def events(request: Request):
        agent, denied = await api_agent(request, write=False)
        if denied:
            return denied
        return await live.stream(request, agent, lambda: signed_in(request))

    @bp.route("/api/agents", methods=["GET"])
    async def agents(request: Request):
        agent, denied = await api_agent(request, write=False)
        if denied:
            return denied
        colleagues = await asyncio.to_thread(desk_auth.active_agents)
        seen = await asyncio.to_thread(desk_auth.presence)
        return json_response(
            {
                "agents": [
                    dict(a, **views.presence(seen.get(a["username"])))
                    for a in colleagues
                    if a["username"] != agent["username"]
                ]
            }
        )

    @bp.route("/api/agents/<username>/unlock", methods=["POST"])
    async def unlock(request: Request, username: str):
        agent, denied = await api_agent(request, write=True)
        if denied:
            return denied
        if not agent.get("supervisor"):
            return json_response({"error": "supervisors_only"}, 403)
        try:
            await asyncio.to_thread(desk_auth.unlock, username[:80], f"agent:{agent['username']}")
        except ValueError:
            return json_response({"error": "not_found"}, 404)
        await asyncio.to_thread(desk.throttle.unlock, username[:80])
        return json_response({"ok": True})

    @bp.route("/api/queue", methods=["GET"])
    async def queue(request: Request):
        """The list: ?filter=open (default)|mine|waiting|closed|all and the search (q, channel, agent,
        from, to as YYYY-MM-DD, Riyadh days)."""
        agent, denied = await api_agent(request, write=False)
        if denied:
            return denied
        now = utcnow()
        args = request.args
        filter_ = args.get("filter") if args.get("filter") in handoff.FILTERS else "open"
        found = await asyncio.to_thread(
            handoff.history,
            agent["username"],
            filter_,
            (args.get("q") or "")[:64],
            (args.get("channel") or "")[:32],
            (args.get("agent") or "")[:80],
            views.riyadh_day(args.get("from")),
            views.riyadh_day(args.get("to"), next_day=True),
        )
        names = await asyncio.to_thread(desk_auth.agent_names)
        items = await asyncio.to_thread(views.queue_items, found, agent["username"], now, names)
        waiting = await asyncio.to_thread(handoff.waiting_ids)
        return json_response(
            {
                "now": views.iso(now),
                "in_working_hours": handoff.in_working_hours(now),
                "filter": filter_,
                "waiting": waiting,
                "items": items,
            }
        )

    @bp.route("/api/handoffs/<handoff_id:int>", methods=["GET"])
    async def detail(request: Request, handoff_id: int):
        agent, denied = await api_agent(request, write=False)
        if denied:
            return denied
        view = await asyncio.to_thread(handoff.get, handoff_id)
        if view is None:
            return json_response({"error": "not_found"}, 404)
        now = utcnow()
        names = await asyncio.to_thread(desk_auth.agent_names)
        first = request.args.get("since") is None  # the first load of this conversation
        since = _int(request.args.get("since"))
        body: Dict[str, Any] = {
            "handoff": await asyncio.to_thread(
                views.queue_item,
                view,
                agent["username"],
                now,
                names,
            ),
            "reason_detail": views.detail_label(view.reason_detail),
            "notes": [
                dict(
                    n,
                    author_name=names.get(n["author"], n["author"]),
                    text=views.isolate_masked(n["text"]),
                )
                for n in await asyncio.to_thread(handoff.notes_for, handoff_id)
            ],
            "labels": await asyncio.to_thread(handoff.labels_for, handoff_id),
            "ticket_ref": view.ticket_ref,
            "tickets": await asyncio.to_thread(desk_tickets.for_handoff, handoff_id, agent, names),
            "claimed_at": views.iso(view.claimed_at),
            "ended_at": views.iso(view.ended_at),
            "can_reply": view.state == handoff.AGENT and view.claimed_by == agent["username"],
            "messages": await asyncio.to_thread(
                views.transcript_items, view.conversation_id, since
            ),
        }
        if view.channel == "whatsapp":
            body["whatsapp_window"] = await asyncio.to_thread(
                views.whatsapp_window, view.conversation_id, now
            )
        if first:
            live = await bridge.tracker_slots(request.app, view.conversation_id)
            body["collected"] = views.collected(view.snapshot, live)
            body["known_ids"] = views.known_ids(live)
            await asyncio.to_thread(handoff.record_view, handoff_id, agent["username"])
        return json_response(body)

    @bp.route(f"/api/handoffs/<handoff_id:int>/<action:({'|'.join(ACTIONS)})>", methods=["POST"])
    async def act(request: Request, handoff_id: int, action: str):
        agent, denied = await api_agent(request, write=True)
        if denied:
            return denied
        view = await asyncio.to_thread(handoff.get, handoff_id)
        if view is None:
            return json_response({"error": "not_found"}, 404)
        return await ACTIONS[action](request, agent, view, json_body(request))

    desk_tickets.register(bp, api_agent)
    return bp
