"""The status report a citizen gets about their "صوتك مسموع" tickets
(action_ticket_status), in the conversation's language. The words are in
bot/content/cases.yml (`tickets.status`) and en/cases.yml, the category and status names
in bot.services.labels; the SMS with a new ticket's number is records.ticket_sms_text."""

from __future__ import annotations

from typing import List

from bot.content import ARABIC, case_text
from bot.services import labels
from bot.services.tickets.records import TicketView


def describe_for_owner(
    ticket: TicketView, others: List[TicketView] = (), lang: str = ARABIC
) -> str:
    """The status report shown to the ticket's owner, in their conversation."""

    def say(key: str, **values) -> str:
        return case_text(f"tickets.status.{key}", lang, **values)

    lines = [
        say(
            "head",
            number=ticket.number,
            category=labels.ticket_category(ticket.category, lang),
        ),
        say("status", status=labels.ticket_status(ticket.status, lang)),
        say("opened", date=ticket.created_at.date().isoformat()),
    ]
    if ticket.status_note:
        lines.append(say("note", note=ticket.status_note))
    if ticket.status in ("open", "in_progress"):
        lines.append(say("in_hand"))
    rest = [t for t in others if t.number != ticket.number]
    if rest:
        lines.append("")
        lines.append(say("others"))
        lines.extend(f"• {t.number}: {labels.ticket_status(t.status, lang)}" for t in rest)
    return "\n".join(lines)
