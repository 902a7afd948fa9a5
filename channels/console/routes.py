"""The console's routes (listed in channels/console/__init__.py), thin: who may see what,
audit, then bot.services.console.stats / review and channels.console.views."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request

from bot import metrics, settings
from bot.services import handoff
from bot.services.console import review
from bot.services.console import rollup as console_rollup
from bot.services.console.stats import Period
from bot.store import audit, session_scope
from channels.console import views
from channels.console.content_routes import add_routes as add_content_routes
from channels.console.training_routes import add_routes as add_training_routes
from channels.edge import client_address, secrets_match
from channels.http import (
    SUPERVISOR,
    Denied,
    headers,
    json_body,
    json_response,
    page,
    redirect,
    signed_in,
    staff,
    static_file,
)

logger = logging.getLogger(__name__)


async def supervisor(request: Request, write: bool = False) -> Tuple[Optional[Dict], Denied]:
    """The signed-in supervisor, or the 401 / 403 to answer (channels/http.py)."""
    return await staff(request, write, role=SUPERVISOR)


def _audit(user: Dict[str, Any], action: str, subject: str, detail: Dict[str, Any]) -> None:
    with session_scope() as s:
        audit.record(s, f"agent:{user['username']}", action, "console", subject, detail)


def _period_detail(period: Period) -> Dict[str, Any]:
    return {
        "from": views.day_label(period.first_day),
        "to": views.day_label(period.last_day),
        "channel": period.channel,
    }


def _metrics_allowed(request: Request) -> bool:
    cfg = settings.get()
    if cfg.metrics_token:
        auth = request.headers.get("Authorization", "")
        sent = auth[7:] if auth.startswith("Bearer ") else None
        return secrets_match(cfg.metrics_token, sent)
    if cfg.metrics_internal:
        import ipaddress

        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return False
        return address.is_loopback or address.is_private
    return False


def blueprint() -> Blueprint:
    bp = Blueprint("supervisor_console")

    @bp.listener("after_server_start")
    async def _rollup(app, loop):
        # A large history's first rollup takes seconds: build it now, not in the first
        # supervisor's request (another worker racing it is harmless).
        async def build():
            try:
                await asyncio.to_thread(console_rollup.ensure)
            except Exception as e:
                logger.info("console rollup not built at start: %s", type(e).__name__)

        app.ctx.console_rollup = loop.create_task(build())

    @bp.route("/console", methods=["GET"])
    async def short(request: Request):
        return redirect("/desk/console/")

    @bp.route("/desk/console/", methods=["GET"])
    async def index(request: Request):
        user = await signed_in(request)
        if user is None:
            return redirect("/desk/login")
        if user.get("role") != SUPERVISOR:
            return page(views.STATIC, "forbidden.html", status=403)
        await asyncio.to_thread(_audit, user, "console.opened", "page", {})
        return page(views.STATIC, "index.html")

    @bp.route("/desk/console/static/<name>", methods=["GET"])
    async def static(request: Request, name: str):
        return static_file(views.STATIC, name)

    @bp.route("/desk/console/api/me", methods=["GET"])
    async def me(request: Request):
        user, denied = await supervisor(request)
        if denied:
            return denied
        return json_response(
            {
                "username": user["username"],
                "display_name": user["display_name"],
                "csrf": user["csrf"],
                "editor": user.get("editor", False),
                "approver": user.get("approver", False),
                "today": views.day_label(views.today()),
                "channels": list(views.CHANNELS),
                "intents": review.known_intents(),
                "topics": views.topic_choices(review.known_intents()),
                "reasons": list(review.REASONS),
            }
        )

    async def _section(request: Request, section: str):
        user, denied = await supervisor(request)
        if denied:
            return None, None, None, denied
        if section not in views.SECTIONS:
            return None, None, None, json_response({"error": "unknown_section"}, 404)
        try:
            period = views.period_from(request.args)
            other = views.comparison_period(request.args, period)
        except views.BadPeriod as e:
            return None, None, None, json_response({"error": str(e)}, 400)
        if section == views.COMPARE:
            result = await asyncio.to_thread(views.SECTIONS[section], period, other)
            result["period_b"] = _period_detail(other)
        else:
            result = await asyncio.to_thread(views.SECTIONS[section], period)
        return user, period, views.with_labels(section, result), None

    @bp.route("/desk/console/api/stats/<section>", methods=["GET"])
    async def stats(request: Request, section: str):
        user, period, result, denied = await _section(request, section)
        if denied:
            return denied
        detail = _period_detail(period)
        if "period_b" in result:
            detail["period_b"] = result["period_b"]
        await asyncio.to_thread(_audit, user, "console.viewed", section, detail)
        result["period"] = _period_detail(period)
        return json_response(result)

    @bp.route("/desk/console/api/csv/<section>", methods=["GET"])
    async def csv(request: Request, section: str):
        user, period, result, denied = await _section(request, section)
        if denied:
            return denied
        name = str(request.args.get("table") or "")[:20]
        table = views.table_of(result, name)
        if table is None:
            return json_response({"error": "unknown_table"}, 404)
        detail = dict(_period_detail(period), table=name or section)
        await asyncio.to_thread(_audit, user, "console.exported", section, detail)
        filename = f"{section}{'-' + name if name else ''}-{detail['from']}-{detail['to']}.csv"
        return response.text(
            views.to_csv(table),
            content_type="text/csv; charset=utf-8",
            headers=headers({"Content-Disposition": f'attachment; filename="{filename}"'}),
        )

    @bp.route("/desk/console/api/review", methods=["GET"])
    async def review_queue(request: Request):
        user, denied = await supervisor(request)
        if denied:
            return denied
        try:
            period = views.period_from(request.args)
        except views.BadPeriod as e:
            return json_response({"error": str(e)}, 400)
        reason = str(request.args.get("reason") or "")
        labelled = str(request.args.get("labelled") or "") == "1"
        items = await asyncio.to_thread(
            review.queue, period, reason if reason in review.REASONS else None, labelled
        )
        await asyncio.to_thread(
            _audit, user, "console.review_listed", reason or "all", _period_detail(period)
        )
        return json_response({"items": views.review_items(items), "period": _period_detail(period)})

    @bp.route("/desk/console/api/review/<turn_id:int>", methods=["GET"])
    async def review_item(request: Request, turn_id: int):
        user, denied = await supervisor(request)
        if denied:
            return denied
        item = await asyncio.to_thread(review.context, turn_id)
        if item is None:
            return json_response({"error": "not_found"}, 404)
        await asyncio.to_thread(_audit, user, "console.review_opened", str(turn_id), {})
        return json_response(item)

    @bp.route("/desk/console/api/review/<turn_id:int>", methods=["POST"])
    async def review_label(request: Request, turn_id: int):
        user, denied = await supervisor(request, write=True)
        if denied:
            return denied
        body = json_body(request)
        try:
            result = await asyncio.to_thread(
                review.label,
                turn_id,
                str(body.get("label") or ""),
                body.get("intent") and str(body["intent"]),
                body.get("note") and str(body["note"]),
                user["username"],
            )
        except LookupError:
            return json_response({"error": "not_found"}, 404)
        except ValueError as e:
            return json_response({"error": f"bad_{e}"}, 400)
        return json_response({"ok": True, **result})

    @bp.route("/desk/console/api/new-topics", methods=["GET"])
    async def topics(request: Request):
        user, denied = await supervisor(request)
        if denied:
            return denied
        await asyncio.to_thread(_audit, user, "console.viewed", "new_topics", {})
        found = await asyncio.to_thread(review.new_topics)
        return json_response({"topics": await asyncio.to_thread(views.new_topic_items, found)})

    add_content_routes(bp)
    add_training_routes(bp)

    @bp.route("/metrics", methods=["GET"])
    async def prometheus(request: Request):
        if not _metrics_allowed(request):
            return response.text("not found", status=404)
        try:  # the queue as of this scrape, whichever worker answers it
            waiting = await asyncio.to_thread(handoff.queue)
            metrics.set_queue_length(sum(1 for v in waiting if v.state == handoff.QUEUED))
        except Exception:
            metrics.inc(metrics.STORE_ERRORS, "database")
        return response.raw(
            metrics.exposition(),
            content_type=metrics.CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )

    return bp
