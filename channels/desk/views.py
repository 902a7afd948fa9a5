"""What the desk shows: Arabic labels, masked numbers, queue items, transcripts, slots.

Plain functions over bot.services.handoff views and the conversation store; nothing
here knows about HTTP. Personal numbers are masked in everything returned.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.content import fill
from bot.masking import mask, mask_text
from bot.services import handoff
from channels.http import staff_day

STATIC = Path(__file__).resolve().parent / "static"
# A masked number ("SA••••19") inside Arabic text: isolated left to right, or the bidi
# algorithm shows its ends swapped.
_MASKED_RUN = re.compile(r"[A-Za-z0-9]*•[A-Za-z0-9•]*")
TRANSCRIPT_LIMIT = 300

CHANNEL_LABELS = {"telegram": "تيليجرام", "whatsapp": "واتساب", "web": "الموقع", "rest": "REST"}
STATE_LABELS = {"queued": "بالانتظار", "agent": "مع موظف", "bot": "رجعت للمساعد", "closed": "مغلقة"}
STATE_HEADINGS = {"queued": "بالانتظار", "bot": "أُعيدت للمساعد", "closed": "مغلقة"}
AUTHOR_LABELS = {"citizen": "المواطن", "bot": "المساعد", "agent": "الموظف", "system": "النظام"}
# The citizen's language (bot.services.language), on a badge beside the conversation.
LANGUAGE_LABELS = {"ar": "عربي", "en": "English"}
# Slot names whose clear value (kept by Rasa's tracker) can fill a ticket the agent opens.
ID_SLOTS = ("ticket_national_id", "status_national_id", "objection_national_id", "national_id")
MOBILE_SLOTS = ("ticket_mobile", "mobile")

# Arabic names of the slots agents see most (others are shown by their slot name).
SLOT_LABELS = {
    "elig_saudi": "سعودي الجنسية",
    "elig_exception": "استثناء الجنسية",
    "elig_age": "العمر",
    "elig_resident": "مقيم في المملكة",
    "elig_months_abroad": "أشهر السفر خارج المملكة",
    "elig_shelter": "في دار إيواء أو سجن",
    "elig_dependants": "عدد التابعين",
    "elig_dependants_adult": "التابعون 18 سنة فأكثر",
    "elig_independent": "مستقل بالسكن",
    "elig_income": "دخل الأسرة الشهري",
    "elig_assets": "أصول عالية القيمة",
    "ticket_national_id": "رقم الهوية",
    "ticket_mobile": "رقم الجوال",
    "ticket_category": "تصنيف البلاغ",
    "ticket_description": "وصف البلاغ",
    "last_ticket_number": "آخر بلاغ فُتح",
    "status_ticket_number": "البلاغ المستعلم عنه",
    "status_national_id": "هوية الاستعلام",
    "objection_national_id": "هوية صاحب الاعتراض",
    "objection_number": "رقم الاعتراض",
}


# What the bot was doing when it escalated ("form:eligibility_form" is for the code only).
FORM_LABELS = {
    "eligibility_form": "أثناء التحقق المبدئي من الأهلية",
    "ticket_form": 'أثناء فتح بلاغ "صوتك مسموع"',
    "ticket_status_form": "أثناء الاستعلام عن حالة بلاغ",
    "objection_form": "أثناء الاستعلام عن اعتراض",
}
PREVIEW_CHARS = 90


def detail_label(detail: Optional[str]) -> Optional[str]:
    """Arabic for a handoff's reason detail: never an internal name like "form:x"."""
    if not detail:
        return None
    kind, _, name = detail.partition(":")
    if kind == "form":
        return FORM_LABELS.get(name, "أثناء تعبئة بيانات")
    if kind == "faq":
        from bot.content import faq_title

        try:
            title = faq_title(name)
        except Exception:
            title = ""
        return f"بعد إجابة: {title}" if title else "بعد إجابة من الأسئلة الشائعة"
    return None if ":" in detail or detail.isascii() else detail


def preview(conversation_id: str) -> Optional[Dict[str, str]]:
    """The latest message of the conversation, masked and cut short, for the queue."""
    from bot.store import conversations

    last = conversations.transcript(conversation_id, limit=1)
    return _preview(last[0] if last else None)


def _preview(last: Optional[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    if not last:
        return None
    text = " ".join(mask_text(last["text"]).split())
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1].rstrip() + "…"
    text = isolate_masked(text)
    return {
        "author": last["author"],
        "author_label": AUTHOR_LABELS.get(last["author"], ""),
        "text": text,
    }


def presence(seen: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A colleague's presence for the transfer list: online now, or when last seen."""
    seen = seen or {}
    return {"online": bool(seen.get("online")), "last_seen_at": iso(seen.get("last_seen_at"))}


def isolate_masked(text: str) -> str:
    return _MASKED_RUN.sub(lambda m: "\u2066" + m.group(0) + "\u2069", text)


def canned_replies(agent_name: str) -> List[Dict[str, str]]:
    with open(STATIC / "canned.yml", encoding="utf-8") as f:
        items = yaml.safe_load(f) or []
    return [
        {
            "key": i["key"],
            "title": i["title"],
            "text": fill(i["text"]).replace("{agent}", agent_name),
        }
        for i in items
    ]


def riyadh_day(value: Optional[str], next_day: bool = False) -> Optional[datetime]:
    """The start (or the end) of a Riyadh calendar day given as YYYY-MM-DD, in UTC; None
    for anything else, a day outside the range staff pages ask about included."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    day = staff_day(value)
    if day is None:
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Asia/Riyadh"))
    return start + timedelta(days=1) if next_day else start


def iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def conversation_label(view: handoff.HandoffView) -> str:
    """ "#12" and, for phone-number channels, the number's last digits ("#12 · ••••5678")."""
    label = f"#{view.id}"
    if view.channel == "whatsapp":
        label += " · " + mask(view.conversation_id.split(":", 1)[-1], 0, 4)[-8:]
    return label


def whatsapp_window(conversation_id: str, now: datetime) -> Dict[str, Any]:
    """Free-form WhatsApp replies are allowed for 24 h after the citizen's last message."""
    from bot.store import conversations

    conv = conversations.get_conversation(conversation_id)
    return _window(conv and conv.get("last_inbound_at"), now)


def _window(last: Optional[datetime], now: datetime) -> Dict[str, Any]:
    from bot.store import conversations

    if not last:
        return {"open": False, "closes_at": None, "remaining_seconds": 0}
    closes = last + conversations.WHATSAPP_WINDOW
    remaining = int((closes - now).total_seconds())
    return {"open": remaining > 0, "closes_at": iso(closes), "remaining_seconds": max(0, remaining)}


def queue_items(
    found: List[handoff.HandoffView], agent: str, now: datetime, names: Dict[str, str]
) -> List[Dict[str, Any]]:
    """The list's rows; their previews, labels and WhatsApp windows are read in a fixed
    number of queries however many rows there are (handoff.list_details)."""
    details = handoff.list_details([v.id for v in found], [v.conversation_id for v in found])
    return [queue_item(v, agent, now, names, details) for v in found]


def queue_item(
    view: handoff.HandoffView,
    agent: str,
    now: datetime,
    names: Optional[Dict[str, str]] = None,
    details: Optional[Dict[str, dict]] = None,
) -> Dict[str, Any]:
    names = names or {}
    if details is None:
        details = handoff.list_details([view.id], [view.conversation_id])
    mine = view.claimed_by == agent
    if view.state == handoff.AGENT:
        holder = "معك" if mine else "مع " + names.get(view.claimed_by, view.claimed_by or "")
    else:
        holder = STATE_LABELS.get(view.state, view.state)
    language = details.get("language", {}).get(view.conversation_id, "ar")
    item = {
        "id": view.id,
        "label": conversation_label(view),
        "channel": view.channel,
        "channel_label": CHANNEL_LABELS.get(view.channel, view.channel),
        "state": view.state,
        "state_label": STATE_LABELS.get(view.state, view.state),
        "reason": view.reason,
        "reason_label": view.reason_label,
        "queued_at": iso(view.queued_at),
        "waiting_seconds": (
            details.get("waited", {}).get(view.id, view.waiting_seconds(now))
            if view.state == handoff.AGENT
            else view.waiting_seconds(now)
        ),
        "position": view.position,
        "claimed_by": view.claimed_by,
        "claimed_by_name": names.get(view.claimed_by, view.claimed_by),
        "holder_label": holder,
        "mine": mine,
        "open": view.state in handoff.OPEN_STATES,
        "ended_at": iso(view.ended_at),
        "ended_by_name": names.get(view.ended_by, view.ended_by),
        "last_citizen_at": iso(view.last_citizen_at),
        "ticket_ref": view.ticket_ref,
        "preview": _preview(details["last_message"].get(view.conversation_id)),
        "labels": list(details["labels"].get(view.id, [])),
        "language": language,
        "language_label": LANGUAGE_LABELS.get(language, language),
        "unread": view.state in handoff.OPEN_STATES
        and bool(
            view.last_citizen_at
            and (view.last_agent_at is None or view.last_citizen_at > view.last_agent_at)
        ),
    }
    if view.channel == "whatsapp":
        last = details["last_inbound"].get(view.conversation_id)
        item["whatsapp_window_open"] = _window(last, now)["open"]
    return item


def transcript_items(conversation_id: str, since: int = 0) -> List[Dict[str, Any]]:
    from bot.store import conversations

    items = []
    for m in conversations.transcript(conversation_id, limit=TRANSCRIPT_LIMIT):
        if m["id"] <= since:
            continue
        items.append(
            {
                "id": m["id"],
                "at": m["at"],
                "author": m["author"],
                "author_label": AUTHOR_LABELS.get(m["author"], m["author"]),
                "text": isolate_masked(mask_text(m["text"])),
                "buttons": [b.get("title", "") for b in m.get("buttons") or []],
            }
        )
    return items


def collected(snapshot: Dict[str, Any], live: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What the bot collected, masked: the escalation snapshot updated by the live tracker,
    as [{"name", "label", "value"}], labelled slots first."""
    merged = dict(snapshot)
    merged.update(handoff.mask_snapshot(live))
    order = {name: i for i, name in enumerate(SLOT_LABELS)}
    return [
        {"name": name, "label": SLOT_LABELS.get(name, name), "value": merged[name]}
        for name in sorted(merged, key=lambda n: (order.get(n, len(order)), n))
    ]


def first_slot(slots: Dict[str, Any], names: Tuple[str, ...]) -> Optional[str]:
    for name in names:
        if slots.get(name):
            return str(slots[name])
    return None


def known_ids(live: Dict[str, Any]) -> Dict[str, Optional[str]]:
    """The national ID and mobile a ticket would be opened with, masked."""
    return {
        "national_id": _masked_first(live, ID_SLOTS, 1, 2),
        "mobile": _masked_first(live, MOBILE_SLOTS, 2, 2),
    }


def _masked_first(
    slots: Dict[str, Any], names: Tuple[str, ...], start: int, end: int
) -> Optional[str]:
    value = first_slot(slots, names)
    return mask(value, start, end) if value else None
