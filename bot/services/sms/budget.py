"""SMS budgets: nobody can make the program text one number, or everyone, without end.

Every public channel lets one client become many senders, so the per-conversation rate
limit does not stop SMS pumping (a script opening ticket after ticket for one mobile, or
asking for code after code). Before each SMS, `bot.services.sms.gateway` asks `exceeded()`:

    SMS_BUDGET_MOBILE_HOUR       3   messages to one mobile in the last hour (codes included)
    SMS_BUDGET_MOBILE_DAY        10  ... in the last 24 hours
    SMS_BUDGET_NATIONAL_ID_DAY   5   new-ticket messages for one national ID in 24 hours
                                     (tickets opened under that ID, whatever their mobile)
    SMS_BUDGET_GLOBAL_MINUTE     60  messages of the whole assistant in the last minute
    SMS_BUDGET_STAFF_MOBILE_DAY  6   staff-initiated messages (a ticket's or objection's
                                     status changed by an agent) to one mobile in 24 hours

Staff-initiated messages have their own budget and do not count in the citizen's: a
citizen who asked for three codes this hour must still hear that their ticket was
answered, and an agent clicking through statuses cannot spend the citizen's budget for
codes. The global budget counts everything.

0 turns one off. Past a budget the message is not sent: its outbox row says
"skipped_budget" (error "budget:<name>"), one log line names the budget with the number
masked and hashed, and `SKIPPED` counts it for the metrics. The caller carries on: a
ticket is still opened and its number shown in the chat. A message sent under a stable id
(a status notification) is not lost there: `allowed_at()` says when the budget lets one
more through, the notification sender waits until then and asks again under the same
id, and the row goes out once (bot.services.sms.gateway).

The counts come from the outbox table (`sms_outbox`) and the tickets table: durable and
the same for every worker and process. The decision and the row it counts are written in
one transaction, and `serialise()` makes those transactions take turns (a PostgreSQL
advisory lock; SQLite's write lock, taken by writing the row first), so two workers
cannot both see "2 of 3" and send the third and fourth message. A count is an indexed
range over the last day's rows, cheap next to an SMS; Redis would only add a second
source of truth that forgets on a restart.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import func, select, text

from bot import settings
from bot.masking import log_ref, mask_id
from bot.store.base import utcnow
from bot.store.tickets import Ticket

logger = logging.getLogger(__name__)

SKIPPED_BUDGET = "skipped_budget"
MOBILE_HOUR, MOBILE_DAY = "mobile_hour", "mobile_day"
NATIONAL_ID_DAY, GLOBAL_MINUTE = "national_id_day", "global_minute"
STAFF_MOBILE_DAY = "staff_mobile_day"
# Message kinds a member of staff sets off (bot.services.notifications): their own budget.
STAFF_KINDS = frozenset({"notification"})
# Any constant works; it names "SMS budget decisions" among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 0x534D5342

SKIPPED: Counter = Counter()  # budget name -> messages not sent (for /metrics)


@dataclass(frozen=True)
class Budgets:
    mobile_hour: int = 3
    mobile_day: int = 10
    national_id_day: int = 5
    global_minute: int = 60
    staff_mobile_day: int = 6

    @classmethod
    def from_env(cls) -> "Budgets":
        """Read on every call, so a changed setting applies without a restart of tests."""
        current = settings.get()
        return cls(
            mobile_hour=max(0, current.sms_budget_mobile_hour),
            mobile_day=max(0, current.sms_budget_mobile_day),
            national_id_day=max(0, current.sms_budget_national_id_day),
            global_minute=max(0, current.sms_budget_global_minute),
            staff_mobile_day=max(0, current.sms_budget_staff_mobile_day),
        )

    def limit(self, name: str) -> int:
        return getattr(self, name)


def serialise(session) -> None:
    """Make budget decisions take turns across workers, until this transaction ends.
    SQLite needs nothing here: the caller writes its row first, which holds the
    database's only write lock until commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


def exceeded(
    session,
    outbox: Any,
    number: str,
    national_id: Optional[str] = None,
    now: Optional[datetime] = None,
    exclude_id: Optional[int] = None,
    budgets: Optional[Budgets] = None,
    kind: Optional[str] = None,
) -> Optional[str]:
    """The first budget one more message of `kind` to `number` would break, or None.

    `outbox` is the outbox model (passed in, so this module does not care where it
    lives); rows marked skipped do not count, nor `exclude_id` (the message asking)."""
    budgets = budgets or Budgets.from_env()
    now = now or utcnow()
    staff = kind in STAFF_KINDS

    def sent(since: datetime, to: Optional[str] = None) -> int:
        query = select(func.count(outbox.id)).where(
            outbox.created_at > since, outbox.status != SKIPPED_BUDGET
        )
        if to is not None:
            query = query.where(outbox.to == to, _same_side(outbox, staff))
        if exclude_id is not None:
            query = query.where(outbox.id != exclude_id)
        return session.execute(query).scalar_one()

    if staff:
        if budgets.staff_mobile_day and sent(now - timedelta(days=1), number) >= (
            budgets.staff_mobile_day
        ):
            return STAFF_MOBILE_DAY
    elif budgets.mobile_hour and sent(now - timedelta(hours=1), number) >= budgets.mobile_hour:
        return MOBILE_HOUR
    elif budgets.mobile_day and sent(now - timedelta(days=1), number) >= budgets.mobile_day:
        return MOBILE_DAY
    if national_id and budgets.national_id_day and not staff:
        # Tickets are written before their SMS, so this count includes the one asking.
        opened = session.execute(
            select(func.count(Ticket.id)).where(
                Ticket.national_id == national_id, Ticket.created_at > now - timedelta(days=1)
            )
        ).scalar_one()
        if opened > budgets.national_id_day:
            return NATIONAL_ID_DAY
    if budgets.global_minute and sent(now - timedelta(minutes=1)) >= budgets.global_minute:
        return GLOBAL_MINUTE
    return None


def _same_side(outbox: Any, staff: bool):
    """Per-mobile budgets count the citizen's messages or staff's, never both."""
    if staff:
        return outbox.kind.in_(STAFF_KINDS)
    return outbox.kind.not_in(STAFF_KINDS)


def _window(budget: str) -> Optional[timedelta]:
    return {
        MOBILE_HOUR: timedelta(hours=1),
        MOBILE_DAY: timedelta(days=1),
        STAFF_MOBILE_DAY: timedelta(days=1),
        GLOBAL_MINUTE: timedelta(minutes=1),
    }.get(budget)


def allowed_at(
    session,
    outbox: Any,
    budget: str,
    number: str,
    now: Optional[datetime] = None,
    exclude_id: Optional[int] = None,
    budgets: Optional[Budgets] = None,
) -> Optional[datetime]:
    """When `budget` lets one more message to `number` through: the moment enough of the
    messages it counts now have left its window. None for a budget no wait can satisfy
    (the per-ID count of tickets is about new tickets, not a later status message)."""
    budgets = budgets or Budgets.from_env()
    window, limit = _window(budget), budgets.limit(budget)
    if window is None or not limit:
        return None
    now = now or utcnow()
    query = select(outbox.created_at).where(
        outbox.created_at > now - window, outbox.status != SKIPPED_BUDGET
    )
    if budget != GLOBAL_MINUTE:
        query = query.where(outbox.to == number, _same_side(outbox, budget == STAFF_MOBILE_DAY))
    if exclude_id is not None:
        query = query.where(outbox.id != exclude_id)
    counted = session.execute(query.order_by(outbox.created_at)).scalars().all()
    if len(counted) < limit:
        return now
    # Below the limit again once the oldest (len - limit + 1) have aged out.
    return counted[len(counted) - limit] + window


def number_ref(number: str) -> str:
    """A salted hash of a number for the logs (bot.masking.log_ref)."""
    return log_ref(number)


def record_skip(
    budget: str,
    kind: str,
    masked_number: str,
    number: str,
    national_id: Optional[str] = None,
    budgets: Optional[Budgets] = None,
) -> None:
    """The log line and the counter of one message a budget stopped."""
    budgets = budgets or Budgets.from_env()
    SKIPPED[budget] += 1
    logger.warning(
        "SMS [%s] to %s (#%s) not sent: budget %s (%d) reached%s",
        kind,
        masked_number,
        number_ref(number),
        budget,
        budgets.limit(budget),
        f" for ID {mask_id(national_id)}" if national_id and budget == NATIONAL_ID_DAY else "",
    )
