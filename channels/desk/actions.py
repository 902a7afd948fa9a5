"""What an agent does to a handoff: claim, release, reply, return to the bot, close,
transfer to a colleague, open a ticket, write an internal note, label, and say that they
are typing. Each takes (request, agent, view, payload) and returns the JSON response;
the state change itself (atomic, audited) is bot.services.handoff's. After every change
of who holds the conversation the citizen's widget is told (channels.outbound)."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, Awaitable, Callable, Dict

from sanic import response
from sanic.request import Request

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.services.language import conversation_language
from bot.store import audit, conversations, session_scope
from bot.store.base import utcnow
from channels import turn_hooks as console_hooks
from channels.desk import bridge
from channels.desk.views import ID_SLOTS, MOBILE_SLOTS, first_slot, whatsapp_window
from channels.http import json_response

MAX_REPLY = 2000

Action = Callable[
    [Request, Dict[str, Any], handoff.HandoffView, Dict[str, Any]], Awaitable[response.HTTPResponse]
]


async def claim(request, agent, view, payload):
    won = await asyncio.to_thread(handoff.claim, view.id, agent["username"])
    if not won:
        return json_response(
            {"error": "already_claimed", "message": "سبقك موظف ثاني لهذه المحادثة."}, 409
        )
    text = handoff.claim_message(agent["display_name"], await _language(view), agent.get("gender"))
    _ok, note = await bridge.send(view, text, "system")
    return json_response({"ok": True, "note": note})


async def _language(view) -> str:
    """What the citizen is told goes in the language they last wrote in."""
    return await asyncio.to_thread(conversation_language, view.conversation_id)


async def _holder_changed(view) -> None:
    await bridge.holder_changed(view)


async def release(request, agent, view, payload):
    if not await asyncio.to_thread(handoff.release, view.id, agent["username"]):
        return json_response({"error": "not_yours"}, 409)
    await _holder_changed(view)
    return json_response({"ok": True})


async def transfer(request, agent, view, payload):
    to = str(payload.get("to") or "").strip()[:80]
    colleagues = {a["username"]: a for a in await asyncio.to_thread(desk_auth.active_agents)}
    if to not in colleagues or to == agent["username"]:
        return json_response({"error": "unknown_agent", "message": "اختر زميلًا من القائمة."}, 400)
    if not await asyncio.to_thread(handoff.transfer, view.id, agent["username"], to):
        return json_response({"error": "not_yours", "message": "المحادثة ليست معك الآن."}, 409)
    name = colleagues[to]["display_name"]
    gender = colleagues[to].get("gender")
    text = handoff.transfer_message(name, await _language(view), gender)
    _ok, note = await bridge.send(view, text, "system")
    await _holder_changed(view)
    return json_response({"ok": True, "note": note, "to_name": name})


async def add_note(request, agent, view, payload):
    text = str(payload.get("text") or "")
    if len(text) > handoff.MAX_NOTE:
        return json_response({"error": "too_long", "max": handoff.MAX_NOTE}, 400)
    saved = await asyncio.to_thread(handoff.add_note, view.id, agent["username"], text)
    if saved is None:
        return json_response({"error": "empty"}, 400)
    return json_response({"ok": True, "note": saved})


async def label(request, agent, view, payload):
    ok = await asyncio.to_thread(
        handoff.add_label, view.id, agent["username"], str(payload.get("label") or "")
    )
    if not ok:
        return json_response({"error": "invalid_label"}, 400)
    return json_response(
        {"ok": True, "labels": await asyncio.to_thread(handoff.labels_for, view.id)}
    )


async def unlabel(request, agent, view, payload):
    await asyncio.to_thread(
        handoff.remove_label, view.id, agent["username"], str(payload.get("label") or "")
    )
    return json_response(
        {"ok": True, "labels": await asyncio.to_thread(handoff.labels_for, view.id)}
    )


async def agent_typing(request, agent, view, payload):
    """The agent is typing (or stopped): only the holder's typing reaches the citizen."""
    if view.state != handoff.AGENT or view.claimed_by != agent["username"]:
        return json_response({"error": "not_yours"}, 409)
    reached = await bridge.typing(view, agent["display_name"], bool(payload.get("on", True)))
    return json_response({"ok": True, "reached": reached})


async def reply(request, agent, view, payload):
    text = str(payload.get("text") or "").strip()
    if not text:
        return json_response({"error": "empty"}, 400)
    if len(text) > MAX_REPLY:
        return json_response({"error": "too_long", "max": MAX_REPLY}, 400)
    if (
        view.channel == "whatsapp"
        and not (await asyncio.to_thread(whatsapp_window, view.conversation_id, utcnow()))["open"]
    ):
        return json_response(
            {
                "error": "whatsapp_window_closed",
                "message": "انتهت نافذة الـ24 ساعة في واتساب: لا يمكن إرسال رد حر "
                "حتى يكتب المواطن من جديد.",
            },
            409,
        )
    canned = str(payload.get("canned") or "")[:40] or None
    if not await asyncio.to_thread(
        handoff.authorise_reply, view.id, agent["username"], len(text), canned
    ):
        return json_response({"error": "not_yours", "message": "المحادثة ليست معك الآن."}, 409)
    ok, note = await bridge.send(view, text, "agent")
    handoff.events.emit("message", view.id)  # the other desks fetch the reply now
    if not ok:
        await asyncio.to_thread(_audit, agent, "handoff.reply_failed", view.id)
        return json_response(
            {"error": "not_delivered", "message": "تعذّر توصيل الرسالة للمواطن، حاول مرة ثانية."},
            502,
        )
    return json_response({"ok": True, "note": note})


async def _farewell(view, agent, text: str, finished: str) -> str:
    """The bot's words when the agent's part ends, with the rating question of that part
    in the same message, on every channel; a question that cannot reach the citizen now
    is asked on the conversation's next bot turn. Returns the delivery note."""
    ask = await console_hooks.after_agent(
        view.conversation_id, view.channel, agent["username"], finished, view.queued_at
    )
    if ask is not None:
        text = f"{text}\n{ask['text']}"
    result = await bridge.deliver(view, text, "bot", ask["buttons"] if ask else None)
    if ask is not None and not bridge.reached(result):
        await console_hooks.question_not_delivered(ask)
    return bridge.judge(result)[1]


async def return_to_bot(request, agent, view, payload):
    if not await asyncio.to_thread(handoff.return_to_bot, view.id, agent["username"]):
        return json_response({"error": "not_yours"}, 409)
    note = await _farewell(
        view, agent, handoff.resume_text(await _language(view)), "agent_returned"
    )
    await _holder_changed(view)
    return json_response({"ok": True, "note": note})


async def close(request, agent, view, payload):
    if not await asyncio.to_thread(handoff.close, view.id, agent["username"]):
        return json_response({"error": "not_yours"}, 409)
    last_words = await asyncio.to_thread(_agent_last_words, view.conversation_id)
    words = handoff.close_message(last_words, await _language(view))
    note = await _farewell(view, agent, words, "agent_closed")
    await _holder_changed(view)
    return json_response({"ok": True, "note": note})


def _agent_last_words(conversation_id: str) -> str:
    """The conversation's last message when the agent wrote it (their goodbye), else ""."""
    for message in reversed(conversations.transcript(conversation_id, 10)):
        if message["author"] != "system":
            return (message["text"] or "") if message["author"] == "agent" else ""
    return ""


async def ticket(request, agent, view, payload):
    if view.state != handoff.AGENT or view.claimed_by != agent["username"]:
        return json_response({"error": "not_yours"}, 409)
    try:
        from bot.services.tickets import records as tickets
    except ImportError:  # pragma: no cover - the tickets feature ships with this project
        return json_response({"error": "tickets_unavailable"}, 501)
    from bot.services.verification.validators import parse_mobile, parse_national_id

    live = await bridge.tracker_slots(request.app, view.conversation_id)
    # What the agent typed (any digits, any mobile format), else what the bot collected.
    typed_id, typed_mobile = str(payload.get("national_id") or ""), str(payload.get("mobile") or "")
    national_id = (
        parse_national_id(typed_id).value or typed_id.strip()
        if typed_id.strip()
        else first_slot(live, ID_SLOTS) or ""
    )
    mobile = (
        parse_mobile(typed_mobile).value or typed_mobile.strip()
        if typed_mobile.strip()
        else first_slot(live, MOBILE_SLOTS) or ""
    )
    category = str(payload.get("category") or "other")
    description = str(payload.get("description") or "").strip()
    nonce = str(payload.get("nonce") or secrets.token_hex(8))[:64]
    key = tickets.idempotency_key(view.conversation_id, f"desk:{view.id}:{nonce}")
    try:
        outcome = await asyncio.to_thread(
            tickets.submit_ticket,
            national_id,
            mobile,
            category,
            description,
            key,
            view.conversation_id,
            view.channel,
        )
    except ValueError as e:
        return json_response({"error": "invalid", "message": _ticket_error(str(e))}, 400)
    if outcome.ticket is None:
        await asyncio.to_thread(_audit, agent, "handoff.ticket_spooled", view.id)
        return json_response(
            {
                "ok": True,
                "queued": True,
                "message": "قاعدة البيانات غير متاحة: حُفظ البلاغ وسيُسجَّل تلقائيًا.",
            }
        )
    await asyncio.to_thread(
        handoff.record_ticket, view.id, agent["username"], outcome.ticket.number
    )
    return json_response(
        {
            "ok": True,
            "ticket": outcome.ticket.number,
            "sms_sent": outcome.sms_sent,
            "suggested_reply": f'فتحت لك بلاغ في خدمة "صوتك مسموع" برقم '
            f"{outcome.ticket.number}، وبيوصلك رقمه برسالة نصية.",
        }
    )


# The URL's last segment -> what it does.
ACTIONS: Dict[str, Action] = {
    "claim": claim,
    "release": release,
    "reply": reply,
    "return": return_to_bot,
    "close": close,
    "ticket": ticket,
    "transfer": transfer,
    "note": add_note,
    "label": label,
    "unlabel": unlabel,
    "typing": agent_typing,
}


def _audit(agent, action: str, handoff_id: int) -> None:
    with session_scope() as s:
        audit.record(s, f"agent:{agent['username']}", action, "handoff", handoff_id)


def _ticket_error(message: str) -> str:
    return {
        "invalid national id": "رقم الهوية غير صحيح أو غير معروف: اطلبه من المواطن.",
        "invalid mobile": "رقم الجوال غير صحيح أو غير معروف: اطلبه من المواطن.",
        "empty description": "اكتب وصف البلاغ.",
    }.get(message, "بيانات البلاغ غير مكتملة.")
