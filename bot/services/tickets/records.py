""" "صوتك مسموع" tickets: create (idempotent), look up by their owner, change status.

Plain Python on bot.store; the actions and the back office call these.

- A ticket is written in one transaction together with its audit entry.
- The caller passes an idempotency key derived from the conversation and the
  form submission (`idempotency_key()`); a unique constraint on it means the same
  confirmation, retried, finds the ticket it already made.
- If the database is down when a citizen confirms, the ticket is spooled to
  $VAR_DIR/pending_tickets.jsonl and written (with its SMS) by the next
  successful submission or `python -m bot.backoffice flush-pending`: never lost.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot import settings
from bot.content import ARABIC, case_text
from bot.masking import mask_id, mask_mobile, mask_text
from bot.services import notifications
from bot.services.sms import gateway as sms
from bot.services.tickets.labels import TICKET_CATEGORIES, TICKET_STATUSES
from bot.services.verification.validators import (
    TICKET_NUMBER_LENGTH,
    luhn_check_digit,
    mobile_valid,
    national_id_valid,
)
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.errors import StoreUnavailable, is_unavailable
from bot.store.files import private_folder
from bot.store.tickets import Ticket

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 2000


@dataclass
class TicketView:
    number: str
    category: str
    status: str
    created_at: datetime
    status_note: Optional[str] = None
    updated_at: Optional[datetime] = None

    @property
    def category_label(self) -> str:
        return TICKET_CATEGORIES.get(self.category, self.category)

    @property
    def status_label(self) -> str:
        return TICKET_STATUSES.get(self.status, self.status)


@dataclass
class SubmitOutcome:
    status: str  # "created", "existing", "queued"
    ticket: Optional[TicketView] = None
    sms_sent: bool = False


@dataclass
class PendingTicket:
    national_id: str
    mobile: str
    category: str
    description: str
    idempotency_key: str
    conversation_id: Optional[str] = None
    channel: Optional[str] = None
    queued_at: str = field(default_factory=lambda: utcnow().isoformat())
    lang: str = ARABIC  # of the SMS with the number (lines spooled before it had none: Arabic)


def _view(t: Ticket) -> TicketView:
    return TicketView(
        number=t.number,
        category=t.category,
        status=t.status,
        created_at=t.created_at,
        status_note=t.status_note,
        updated_at=t.updated_at,
    )


def idempotency_key(conversation_id: str, submission_id: str) -> str:
    """Stable key for one confirmation of one form filling in one conversation."""
    return hashlib.sha256(f"{conversation_id}\x1f{submission_id}".encode()).hexdigest()


def new_ticket_number() -> str:
    """8 digits, no leading zero, the last a Luhn check digit (typos are caught)."""
    body = str(
        secrets.randbelow(9 * 10 ** (TICKET_NUMBER_LENGTH - 2)) + 10 ** (TICKET_NUMBER_LENGTH - 2)
    )
    return body + luhn_check_digit(body)


def _check(national_id: str, mobile: str, category: str, description: str) -> str:
    if not national_id_valid(national_id):
        raise ValueError("invalid national id")
    if not mobile_valid(mobile):
        raise ValueError("invalid mobile")
    if category not in TICKET_CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    description = (description or "").strip()
    if not description:
        raise ValueError("empty description")
    return description[:MAX_DESCRIPTION]


def create_ticket(
    national_id: str,
    mobile: str,
    category: str,
    description: str,
    key: str,
    conversation_id: Optional[str] = None,
    channel: Optional[str] = None,
    actor: str = "bot",
) -> Tuple[TicketView, bool]:
    """Create a ticket, or return the one already created with this key.

    Returns (ticket, created). Raises ValueError for invalid input and
    StoreUnavailable when the database cannot be used.
    """
    description = _check(national_id, mobile, category, description)
    for _ in range(5):
        try:
            with session_scope() as session:
                existing = session.execute(
                    select(Ticket).where(Ticket.idempotency_key == key)
                ).scalar_one_or_none()
                if existing is not None:
                    return _view(existing), False
                ticket = Ticket(
                    number=new_ticket_number(),
                    national_id=national_id,
                    mobile=mobile,
                    category=category,
                    description=description,
                    status="open",
                    channel=channel,
                    conversation_id=conversation_id,
                    idempotency_key=key,
                )
                session.add(ticket)
                session.flush()
                audit.record(
                    session,
                    actor,
                    "ticket.created",
                    "ticket",
                    ticket.number,
                    {
                        "category": category,
                        "national_id": mask_id(national_id),
                        "mobile": mask_mobile(mobile),
                        "channel": channel,
                    },
                )
                view = _view(ticket)
            return view, True
        except IntegrityError:
            # Either the same confirmation raced us (the key now exists: loop finds it)
            # or the random number collided (loop draws another).
            continue
        except Exception as exc:
            if is_unavailable(exc):
                raise StoreUnavailable(str(type(exc).__name__)) from exc
            raise
    raise StoreUnavailable("could not allocate a ticket number")


def ticket_sms_text(number: str, lang: str = ARABIC) -> str:
    """The SMS with a new ticket's number, in the language of the conversation that opened it."""
    return case_text("tickets.sms", lang, number=number)


def submit_ticket(
    national_id: str,
    mobile: str,
    category: str,
    description: str,
    key: str,
    conversation_id: Optional[str] = None,
    channel: Optional[str] = None,
    lang: str = ARABIC,
) -> SubmitOutcome:
    """What the bot calls on confirmation: store (or spool), then SMS the number once, in
    `lang`."""
    try:
        ticket, created = create_ticket(
            national_id, mobile, category, description, key, conversation_id, channel
        )
    except StoreUnavailable:
        pending = PendingTicket(
            national_id, mobile, category, description, key, conversation_id, channel, lang=lang
        )
        _spool(pending)
        logger.error("database unavailable: ticket for %s spooled", mask_id(national_id))
        return SubmitOutcome("queued")
    sent = False
    if created:
        # Past an SMS budget (bot/services/sms/budget.py) the ticket stands; only the SMS is skipped.
        sent = sms.send(
            mobile, ticket_sms_text(ticket.number, lang), kind="ticket", national_id=national_id
        ).ok
        try:
            flush_pending()
        except Exception:  # best effort; the back office can flush too
            logger.exception("flushing pending tickets failed")
    return SubmitOutcome("created" if created else "existing", ticket, sent)


# --------------------------------------------------------------------------- spool


def _spool_path() -> Path:
    return private_folder(settings.get().var_dir) / "pending_tickets.jsonl"


def _spool(item: PendingTicket) -> None:
    path = _spool_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(json.dumps(item.__dict__, ensure_ascii=False) + "\n")
        fcntl.flock(f, fcntl.LOCK_UN)


def pending_count() -> int:
    path = _spool_path()
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def flush_pending() -> List[TicketView]:
    """Write spooled tickets (idempotently) and SMS their numbers. Returns those created."""
    path = _spool_path()
    if not path.exists() or path.stat().st_size == 0:
        return []
    created: List[TicketView] = []
    with open(path, "r+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        lines = [line for line in f.read().splitlines() if line.strip()]
        remaining = []
        for line in lines:
            item = PendingTicket(**json.loads(line))
            try:
                ticket, was_created = create_ticket(
                    item.national_id,
                    item.mobile,
                    item.category,
                    item.description,
                    item.idempotency_key,
                    item.conversation_id,
                    item.channel,
                )
            except StoreUnavailable:
                remaining.append(line)
                continue
            except ValueError:
                logger.error("dropping invalid spooled ticket for %s", mask_id(item.national_id))
                continue
            if was_created:
                sms.send(
                    item.mobile,
                    ticket_sms_text(ticket.number, item.lang),
                    kind="ticket",
                    national_id=item.national_id,
                )
                created.append(ticket)
        f.seek(0)
        f.truncate()
        f.write("".join(line + "\n" for line in remaining))
        fcntl.flock(f, fcntl.LOCK_UN)
    return created


# --------------------------------------------------------------------------- look-ups


def find_for_owner(number: str, national_id: str) -> Optional[TicketView]:
    """The ticket, only if it was opened with this ID (wrong pairs look like unknown numbers)."""
    try:
        with session_scope() as session:
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number, Ticket.national_id == national_id)
            ).scalar_one_or_none()
            return _view(ticket) if ticket else None
    except Exception as exc:
        if is_unavailable(exc):
            raise StoreUnavailable(type(exc).__name__) from exc
        raise


def tickets_of(national_id: str, limit: int = 5) -> List[TicketView]:
    try:
        with session_scope() as session:
            rows = (
                session.execute(
                    select(Ticket)
                    .where(Ticket.national_id == national_id)
                    .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            return [_view(t) for t in rows]
    except Exception as exc:
        if is_unavailable(exc):
            raise StoreUnavailable(type(exc).__name__) from exc
        raise


def list_tickets(status: Optional[str] = None, limit: int = 50) -> List[Ticket]:
    with session_scope() as session:
        query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
        if status:
            query = query.where(Ticket.status == status)
        return list(session.execute(query).scalars().all())


def count_tickets() -> int:
    with session_scope() as session:
        return session.execute(select(func.count(Ticket.id))).scalar_one()


def get_ticket(number: str) -> Optional[TicketView]:
    with session_scope() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
        return _view(ticket) if ticket else None


def set_status(
    number: str,
    status: str,
    note: Optional[str] = None,
    actor: str = "backoffice",
    staff_note: Optional[str] = None,
) -> TicketView:
    """Change a ticket's status (and the note the citizen sees). Audited; a new status is
    also announced to the citizen (bot.services.notifications, same transaction).
    `staff_note` (the desk's) is kept in the audit entry only, masked: never sent."""
    if status not in TICKET_STATUSES:
        raise ValueError(f"unknown status {status!r}; one of {', '.join(TICKET_STATUSES)}")
    with session_scope() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
        if ticket is None:
            raise LookupError(f"no ticket {number}")
        before = ticket.status
        ticket.status = status
        if note is not None:
            ticket.status_note = note.strip() or None
        ticket.updated_at = utcnow()
        entry = audit.record(
            session,
            actor,
            "ticket.status_changed",
            "ticket",
            number,
            {"from": before, "to": status, "note": note}
            | ({"staff_note": mask_text(staff_note)} if staff_note else {}),
        )
        session.flush()
        if before != status:
            # Same transaction: the change and the citizen's notification commit together.
            notifications.enqueue_ticket_change(session, ticket, entry.id)
        return _view(ticket)
