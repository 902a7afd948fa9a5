"""What a notification says: the case number, the new status and what to do next, in the
language of the conversation it goes to (bot/content/cases.yml, `notifications`, and
en/cases.yml). Nothing else personal: no name, no ID, no mobile, no staff note, and no
objection amount (the citizen sees that only after proving who they are, in the
conversation)."""

from __future__ import annotations

from bot.content import ARABIC, case_text
from bot.nlu.language import detect_language
from bot.services import labels


def ticket_text(number: str, status: str, lang: str = ARABIC) -> str:
    def say(key: str, **values) -> str:
        return case_text(f"notifications.ticket.{key}", lang, **values)

    lines = [say("head", number=number), say("status", status=labels.ticket_status(status, lang))]
    if status in ("open", "in_progress", "resolved", "closed"):
        lines.append(say(f"next.{status}"))
    lines.append(say("details"))
    return "\n".join(lines)


def objection_text(number: str, status: str, lang: str = ARABIC) -> str:
    def say(key: str, **values) -> str:
        return case_text(f"notifications.objection.{key}", lang, **values)

    if status == "under_review":
        head, follow = say("reopened", number=number), say("reply_days")
    else:
        head = say("decided", number=number)
        follow = say("accepted" if status == "accepted" else "rejected")
    status_line = say("status", status=labels.objection_status(status, lang))
    return "\n".join([head, status_line, follow, say("details")])


def with_stop_hint(body: str) -> str:
    """Chat channels can take the reply; an SMS cannot, so it goes without the hint. The
    hint is in the body's own language (the notification was written in the conversation's)."""
    lang = detect_language(body) or ARABIC
    return f"{body}\n\n{case_text('notifications.stop_hint', lang)}"


def status_label(subject_type: str, status: str) -> str:
    """The Arabic status name, for the WhatsApp template (approved in one language)."""
    if subject_type == "ticket":
        return labels.ticket_status(status)
    return labels.objection_status(status)


def kind_label(subject_type: str) -> str:
    return "بلاغ" if subject_type == "ticket" else "اعتراض"
