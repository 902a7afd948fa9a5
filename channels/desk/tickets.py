"""The desk's "صوتك مسموع" tickets: their status and history in the conversation view, a
look-up by number, and the status change.

    GET  /desk/api/tickets/<number>          one ticket (404 unless the agent may change it)
    POST /desk/api/tickets/<number>/status   {"status", "note"}: change it (CSRF)

Who may change which ticket is bot.services.handoff.tickets' rule (a supervisor any, an
agent only tickets linked to conversations they hold or held); the change is the back
office's own bot.services.tickets.records.set_status, so the statuses, the audit entry and the
citizen's notification are the same. The note typed here is for staff: it is kept in the
audit entry and shown on the desk, never sent to the citizen.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional

from sanic import Blueprint
from sanic.request import Request

from bot.masking import mask_text
from bot.nlu.arabic import to_ascii_digits
from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.services.tickets import records as ticket_service
from bot.services.tickets.labels import TICKET_STATUSES
from bot.services.verification.validators import TICKET_NUMBER_LENGTH
from channels.http import json_body, json_response

ACTOR_LABELS = {"bot": "المساعد", "backoffice": "المكتب الخلفي", "citizen": "المواطن"}
NOT_FOUND = "ما لقينا بلاغًا بهذا الرقم في محادثات معك."


def statuses() -> list:
    return [{"key": k, "label": v} for k, v in TICKET_STATUSES.items()]


def clean_number(raw: Any) -> Optional[str]:
    number = to_ascii_digits(str(raw or "")).strip().lstrip("#")
    return number if number.isdigit() and len(number) == TICKET_NUMBER_LENGTH else None


def _iso(value: Optional[datetime]) -> Optional[str]:
    # SQLite hands back naive datetimes: they are UTC (a browser would read them as local).
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def _actor(actor: str, names: Dict[str, str]) -> str:
    if actor.startswith("agent:"):
        username = actor.split(":", 1)[1]
        return names.get(username) or username
    return ACTOR_LABELS.get(actor, actor)


def ticket_item(
    number: str, agent: Dict[str, Any], names: Dict[str, str], can_change: Optional[bool] = None
) -> Optional[Dict[str, Any]]:
    """What the desk shows of a ticket: no national ID or mobile, notes masked."""
    view = ticket_service.get_ticket(number)
    if view is None:
        return None
    if can_change is None:
        can_change = handoff.may_change_ticket(
            number, agent["username"], bool(agent.get("supervisor"))
        )
    history = []
    for h in handoff.ticket_history(number):
        history.append(
            {
                "at": h["at"],
                "actor_name": _actor(h["actor"], names),
                "created": h["action"] == "ticket.created",
                "from_label": TICKET_STATUSES.get(h["from"]) if h["from"] else None,
                "to_label": TICKET_STATUSES.get(h["to"]) if h["to"] else None,
                "note": h["note"],
                "staff_note": h["staff_note"],
            }
        )
    return {
        "number": view.number,
        "category_label": view.category_label,
        "status": view.status,
        "status_label": view.status_label,
        "created_at": _iso(view.created_at),
        "updated_at": _iso(view.updated_at),
        "status_note": mask_text(view.status_note) if view.status_note else None,
        "can_change": can_change,
        "history": history,
    }


def for_handoff(handoff_id: int, agent: Dict[str, Any], names: Dict[str, str]) -> list:
    items = (ticket_item(n, agent, names) for n in handoff.ticket_numbers_for(handoff_id))
    return [i for i in items if i is not None]


def register(bp: Blueprint, api_agent: Callable) -> None:
    async def caller(request: Request, raw: str, write: bool):
        """(agent, ticket number, None), or (None, None, the refusal) for a caller without
        the right or a number that is not a ticket number."""
        agent, denied = await api_agent(request, write=write)
        if denied:
            return None, None, denied
        number = clean_number(raw)
        if number is None:
            invalid = {"error": "invalid", "message": "رقم البلاغ ٨ أرقام."}
            return None, None, json_response(invalid, 400)
        return agent, number, None

    @bp.route("/api/tickets/<number>", methods=["GET"])
    async def lookup(request: Request, number: str):
        agent, number, refused = await caller(request, number, write=False)
        if refused:
            return refused
        names = await asyncio.to_thread(desk_auth.agent_names)
        item = await asyncio.to_thread(ticket_item, number, agent, names)
        if item is None or not item["can_change"]:
            # Unknown and not-yours answer alike: no probing of other tickets by number.
            return json_response({"error": "not_found", "message": NOT_FOUND}, 404)
        return json_response({"ticket": item})

    @bp.route("/api/tickets/<number>/status", methods=["POST"])
    async def change(request: Request, number: str):
        agent, number, refused = await caller(request, number, write=True)
        if refused:
            return refused
        payload = json_body(request)
        status = str(payload.get("status") or "")
        note = str(payload.get("note") or "")
        if status not in TICKET_STATUSES:
            return json_response(
                {"error": "invalid_status", "message": "اختر حالة من القائمة."}, 400
            )
        if len(note) > handoff.tickets.MAX_STAFF_NOTE:
            return json_response({"error": "too_long", "max": handoff.tickets.MAX_STAFF_NOTE}, 400)
        supervisor = bool(agent.get("supervisor"))
        allowed = await asyncio.to_thread(
            handoff.may_change_ticket, number, agent["username"], supervisor
        )
        before = allowed and await asyncio.to_thread(ticket_service.get_ticket, number)
        if not before:
            return json_response({"error": "not_found", "message": NOT_FOUND}, 404)
        if before.status == status and not note.strip():
            return json_response(
                {"error": "no_change", "message": "البلاغ بهذه الحالة أصلًا: اختر حالة ثانية."},
                400,
            )
        changed = await asyncio.to_thread(
            handoff.change_ticket_status, number, status, agent["username"], supervisor, note
        )
        if changed is None:
            return json_response({"error": "not_found", "message": NOT_FOUND}, 404)
        names = await asyncio.to_thread(desk_auth.agent_names)
        item = await asyncio.to_thread(ticket_item, number, agent, names, True)
        return json_response(
            {"ok": True, "ticket": item, "citizen_notified": before.status != status}
        )
