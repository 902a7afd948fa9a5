"""Wording of the handoff: reasons (Arabic, for the desk), and what the citizen is told at
each step, in the citizen's language (`lang`, "ar" or "en")."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Dict, Optional

from bot.content import ARABIC, message
from bot.services.handoff.waiting import estimated_wait_minutes, in_working_hours
from bot.store.base import utcnow
from bot.store.handoffs import AGENT, QUEUED

# Why a conversation was escalated; the desk shows the Arabic label.
REASONS: Dict[str, str] = {
    "requested": "طلب التحدث مع موظف",
    "fallback": "المساعد لم يفهم مرتين متتاليتين",
    "form_failed": "تعثّر في تعبئة البيانات",
    "support_stopped": "شكوى توقف الدعم",
    "case_for_person": "حالة تحتاج موظف",
}
DEFAULT_REASON = "requested"

# What the citizen is told, in Arabic here and in the citizen's language through the
# functions below (bot/content/messages.yml, "handoff").
RESUME_TEXT = message("handoff.resume")
CLOSE_TEXT = message("handoff.close")
# After an agent's own goodbye, which thanks the citizen already: one thank-you is enough.
CLOSE_AFTER_THANKS_TEXT = message("handoff.close_after_thanks")
CLAIM_TEXT = message("handoff.claim")  # {agent} left for the caller
TRANSFER_TEXT = message("handoff.transfer")
LEFT_QUEUE_TEXT = message("handoff.left_queue")
LEAVE_HINT = message("handoff.leave_hint")
# An agent whose account says female (desk_agent_access.gender) is announced in the
# feminine ("انضمت لك سارة", "بتكمل معك"): the *_female messages.
FEMALE = "female"

# Reasons whose escalation message starts by saying why.
_REASON_PREFIX = ("fallback", "form_failed", "support_stopped", "case_for_person")


def leave_button(lang: str = ARABIC) -> Dict[str, str]:
    """The way out of the queue, with every message that says how to leave it. Its title
    is what the queue recognises (transitions._LEAVE_PHRASES); the payload, if the citizen
    is already back with the bot, is the bot's own "cancel"."""
    return {"title": message("handoff.leave_button", lang), "payload": "/cancel"}


LEAVE_BUTTON = leave_button()


def resume_text(lang: str = ARABIC) -> str:
    return message("handoff.resume", lang)


def close_text(lang: str = ARABIC) -> str:
    return message("handoff.close", lang)


def left_queue_text(lang: str = ARABIC) -> str:
    return message("handoff.left_queue", lang)


def queued_ack_text(position: int, now: Optional[datetime] = None, lang: str = ARABIC) -> str:
    if in_working_hours(now):
        first = message("handoff.queued_ack_open", lang, position=position)
    else:
        first = message("handoff.queued_ack_closed", lang)
    return f"{first}\n{message('handoff.leave_hint', lang)}"


def wait_phrase(minutes: int, lang: str = ARABIC) -> str:
    """A rough duration, rounded up to 5 minutes."""
    if minutes <= 5:
        return message("handoff.wait_under_5", lang)
    if minutes > 60:
        return message("handoff.wait_over_hour", lang)
    rounded = int(math.ceil(minutes / 5.0) * 5)
    if rounded == 60:
        return message("handoff.wait_hour", lang)
    # Arabic counts 3-10 with a plural noun and 11 up with a singular one.
    key = "handoff.wait_few_minutes" if rounded <= 10 else "handoff.wait_minutes"
    return message(key, lang, minutes=rounded)


def escalation_message(
    view: Any, now: Optional[datetime] = None, lang: str = ARABIC
) -> Dict[str, Any]:
    """What the bot tells the citizen when it hands over: {"text": ..., "buttons": [...]}.
    `view` is a records.HandoffView (not imported: records imports this module's REASONS)."""
    now = now or utcnow()
    lines = []
    if view.reason in _REASON_PREFIX and view.created:
        lines.append(message(f"handoff.reason_{view.reason}", lang))
    if view.state == AGENT:
        lines.append(message("handoff.with_agent", lang))
    elif in_working_hours(now):
        minutes = estimated_wait_minutes(view.position or 1, now)
        lines.append(message("handoff.queued_open", lang, wait=wait_phrase(minutes, lang)))
    else:
        lines.append(message("handoff.queued_closed", lang))
    if view.state == QUEUED:
        lines.append(message("handoff.leave_hint", lang))
    # While the handoff is open nothing the citizen sends reaches the bot: the one button
    # is the way out of the queue, which the channels' pipeline handles itself.
    buttons = [leave_button(lang)] if view.state == QUEUED else []
    return {"text": "\n".join(lines), "buttons": buttons}


def close_message(agent_last_words: Optional[str] = None, lang: str = ARABIC) -> str:
    """What the bot says when an agent closes: no second thank-you after the agent's."""
    words = (agent_last_words or "").lower()
    if "شكر" in words or "thank" in words:
        return message("handoff.close_after_thanks", lang)
    return close_text(lang)


def claim_message(agent_display_name: str, lang: str = ARABIC, gender: Optional[str] = None) -> str:
    """ "انضم لك عمر" / "انضمت لك سارة", as the agent's account says (`gender`)."""
    female = "_female" if gender == FEMALE else ""
    name = agent_display_name or message(f"handoff.an_agent{female}", lang)
    if "خدمة العملاء" in name:  # the default display name says it already
        return message(f"handoff.claim_plain{female}", lang, agent=name)
    return message(f"handoff.claim{female}", lang, agent=name)


def transfer_message(
    agent_display_name: str, lang: str = ARABIC, gender: Optional[str] = None
) -> str:
    female = "_female" if gender == FEMALE else ""
    colleague = agent_display_name or message(f"handoff.a_colleague{female}", lang)
    return message(f"handoff.transfer{female}", lang, agent=colleague)
