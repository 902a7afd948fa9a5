""" "صوتك مسموع" tickets as the desk sees them: which tickets an episode is linked to, who
may change one's status, and its history.

A ticket is linked to an episode when the desk recorded it on the episode (ticket_ref) or
when it was opened in the episode's conversation (the citizen's own channel conversation).

Who may change a ticket's status from the desk:
- a supervisor: any ticket (as the back office may);
- an agent: only a ticket linked to an episode they hold now or held when it ended (the
  episode's claimed_by is them). Releasing or transferring a conversation hands the right
  on with it; a ticket number typed by hand grants nothing by itself, so an agent cannot
  change an arbitrary ticket by guessing numbers. Unknown and not-yours look the same.

The change itself is bot.services.tickets.records.set_status, the back office's: the same statuses,
the same audit entry (actor "agent:<username>") and the same outbox notification in its
transaction. The desk's staff note goes to the audit entry only, never to the citizen.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from sqlalchemy import or_, select

from bot.cleantext import without_invisible
from bot.masking import mask_text
from bot.services.handoff import events
from bot.services.tickets import records as ticket_service
from bot.services.tickets.labels import TICKET_STATUSES
from bot.store import session_scope
from bot.store.audit import AuditEntry
from bot.store.handoffs import Handoff, aware
from bot.store.tickets import Ticket

MAX_STAFF_NOTE = 1000
HISTORY_LIMIT = 50


def _linked():
    return or_(
        Ticket.number == Handoff.ticket_ref, Ticket.conversation_id == Handoff.conversation_id
    )


def numbers_for(handoff_id: int) -> List[str]:
    """The tickets linked to one episode, newest first."""
    with session_scope() as s:
        return list(
            s.execute(
                select(Ticket.number)
                .join(Handoff, _linked())
                .where(Handoff.id == handoff_id)
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .distinct()
            ).scalars()
        )


def may_change(number: str, agent: str, supervisor: bool = False) -> bool:
    with session_scope() as s:
        if supervisor:
            query = select(Ticket.id).where(Ticket.number == number)
        else:
            query = (
                select(Ticket.id)
                .join(Handoff, _linked())
                .where(Ticket.number == number, Handoff.claimed_by == agent)
            )
        return s.execute(query.limit(1)).first() is not None


def _episodes_of(number: str) -> List[int]:
    with session_scope() as s:
        return list(
            s.execute(
                select(Handoff.id).join(Ticket, _linked()).where(Ticket.number == number)
            ).scalars()
        )


def history(number: str) -> List[Dict[str, Any]]:
    """The ticket's audit trail, oldest first: [{"at", "actor", "action", "from", "to",
    "note", "staff_note"}], notes masked."""
    with session_scope() as s:
        rows = (
            s.execute(
                select(AuditEntry)
                .where(AuditEntry.subject_type == "ticket", AuditEntry.subject_id == number)
                .order_by(AuditEntry.id.desc())
                .limit(HISTORY_LIMIT)
            )
            .scalars()
            .all()
        )
        items = []
        for e in reversed(rows):
            try:
                detail = json.loads(e.detail) if e.detail else {}
            except ValueError:
                detail = {}
            items.append(
                {
                    "at": aware(e.at).isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "from": detail.get("from"),
                    "to": detail.get("to") or ("open" if e.action == "ticket.created" else None),
                    "note": mask_text(detail["note"]) if detail.get("note") else None,
                    "staff_note": detail.get("staff_note"),
                }
            )
        return items


def change_status(
    number: str, status: str, agent: str, supervisor: bool = False, staff_note: str = ""
) -> Optional[ticket_service.TicketView]:
    """None when the ticket is unknown or not this agent's to change; ValueError for an
    unknown status."""
    if status not in TICKET_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if not may_change(number, agent, supervisor):
        return None
    note = without_invisible(staff_note or "").strip()[:MAX_STAFF_NOTE] or None
    try:
        view = ticket_service.set_status(
            number, status, None, actor=f"agent:{agent}", staff_note=note
        )
    except LookupError:
        return None
    for handoff_id in _episodes_of(number):
        events.emit("ticket", handoff_id)
    return view
