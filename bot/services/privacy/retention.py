"""Retention periods (Saudi Personal Data Protection Law): personal data is kept only as
long as its purpose needs it. What is stored where, the periods and why:
docs/privacy.md.

    RETENTION_TRANSCRIPT_DAYS  180   transcripts, ended handoff episodes, idle conversations
                                     and Rasa's tracker events: deleted; the console's turn
                                     rows and review labels: deleted, its ratings:
                                     anonymised (bot/services/privacy/retention_console.py);
                                     reviewed training examples, retrain logs, superseded
                                     models: removed (bot/services/privacy/training_data.py)
    RETENTION_OTP_DAYS          30   one-time code records: deleted
    RETENTION_SMS_DAYS          90   the SMS outbox: deleted
    RETENTION_NOTIFICATION_DAYS 90   notification history (outbox rows delivered or given
                                     up): deleted; opt-outs stay until withdrawn or erased
    RETENTION_TICKET_DAYS      730   tickets untouched this long: anonymised
    RETENTION_OBJECTION_DAYS   730   objections untouched this long: anonymised
    RETENTION_AUDIT_DAYS      1095   audit log entries: deleted
A period of 0 keeps that kind of record forever.

`purge()` applies them. Deletes go a batch at a time, each batch its own short
transaction, so a big table is never locked for long while the assistant serves. The
tables are named as table clauses (bot/services/privacy/tables.py);
tests/unit/test_retention.py runs every step against the real schema.

`make run` and `make run-prod` run it by themselves (bot.services.privacy.schedule,
one process at a time); `python -m bot.backoffice purge` runs it from cron.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Callable, Dict, Optional

from sqlalchemy import (
    String,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Engine

from bot.services.privacy import retention_console, training_data
from bot.services.privacy.batches import BATCH, delete_batched, update_batched
from bot.services.privacy.databases import has_events
from bot.services.privacy.periods import Periods
from bot.services.privacy.tables import (
    AUDIT,
    CONVERSATIONS,
    EVENTS,
    HANDOFFS,
    NOTIFICATIONS,
    OBJECTIONS,
    OTP,
    SMS,
    TICKETS,
    TRANSCRIPTS,
)
from bot.store.base import utcnow

logger = logging.getLogger(__name__)

ENDED_HANDOFF_STATES = ("bot", "closed")


# What an anonymised case keeps: its number, category or cycle, status, amounts and dates
# (the program's statistics); nothing that leads back to the citizen. The idempotency key
# is a hash of the conversation id: replaced by a value unique per row.
def anonymised_ticket() -> Dict:
    return {
        "national_id": "",
        "mobile": "",
        "conversation_id": None,
        "description": "",
        "status_note": None,
        "idempotency_key": literal("anonymised:") + TICKETS.c.id.cast(String),
    }


ANONYMISED_OBJECTION = {"national_id": "", "mobile": "", "decision_note": None}


def events_to_purge(cutoff: float):
    """Tracker events older than the cutoff, except those of a conversation's latest
    session while that conversation is still going on: Rasa counts the stored events of the
    latest session to know what to append, so cutting into it would duplicate or lose
    events. Older sessions are never read again (slots carried over are copied into the
    new session)."""
    later, starts = EVENTS.alias("later"), EVENTS.alias("starts")
    still_active = exists().where(
        later.c.sender_id == EVENTS.c.sender_id, later.c.timestamp >= cutoff
    )
    latest_start = (
        select(func.max(starts.c.timestamp))
        .where(starts.c.sender_id == EVENTS.c.sender_id, starts.c.type_name == "session_started")
        .scalar_subquery()
    )
    return and_(
        EVENTS.c.timestamp < cutoff,
        or_(~still_active, EVENTS.c.timestamp < func.coalesce(latest_start, -1.0)),
    )


def ended_handoffs(cutoff: datetime):
    return and_(
        HANDOFFS.c.state.in_(ENDED_HANDOFF_STATES),
        func.coalesce(HANDOFFS.c.ended_at, HANDOFFS.c.queued_at) < cutoff,
    )


def idle_conversations(cutoff: datetime, dry_run: bool = False):
    """Conversations quiet since the cutoff with no message and no handoff episode left. A
    dry run deletes nothing before this step, so it leaves out what the steps before would
    have deleted; a real run asks for none at all (the foreign key needs it)."""
    messages = exists().where(TRANSCRIPTS.c.conversation_id == CONVERSATIONS.c.conversation_id)
    episodes = exists().where(HANDOFFS.c.conversation_id == CONVERSATIONS.c.conversation_id)
    if dry_run:
        messages = messages.where(TRANSCRIPTS.c.at >= cutoff)
        episodes = episodes.where(~ended_handoffs(cutoff))
    return and_(
        CONVERSATIONS.c.created_at < cutoff,
        or_(CONVERSATIONS.c.last_inbound_at.is_(None), CONVERSATIONS.c.last_inbound_at < cutoff),
        ~messages,
        ~episodes,
    )


# --- the purge ---------------------------------------------------------------------------

# Every other step deletes.
ACTIONS = {
    "tickets": "anonymised",
    "objections": "anonymised",
    "csat_ratings": "anonymised",
    "training_examples": "removed",
    "training_jobs": "cleared",
    "model_releases": "cleared",
}


def purge(
    app: Engine,
    tracker: Optional[Engine] = None,
    periods: Optional[Periods] = None,
    now: Optional[datetime] = None,
    batch: int = BATCH,
    dry_run: bool = False,
    actor: str = "retention",
    heartbeat: Callable[[], None] = lambda: None,
) -> Dict[str, int]:
    """Apply the retention periods once. Returns rows deleted or anonymised per table (what
    would be, with dry_run). A kind whose period is 0 is left out. Writes one audit entry
    with the counts (not on a dry run)."""
    periods = periods or Periods.from_env()
    now = now or utcnow()

    def cutoff(days: int) -> datetime:
        return now - timedelta(days=days)

    def run(name: str, days: int, step: Callable[[datetime], int]) -> None:
        if days > 0:
            counts[name] = step(cutoff(days))

    opts = {"batch": batch, "dry_run": dry_run, "heartbeat": heartbeat}
    counts: Dict[str, int] = {}
    run(
        "transcript_messages",
        periods.transcripts,
        lambda c: delete_batched(app, TRANSCRIPTS, TRANSCRIPTS.c.at < c, **opts),
    )
    run(
        "handoffs",
        periods.transcripts,
        lambda c: delete_batched(app, HANDOFFS, ended_handoffs(c), **opts),
    )
    run(
        "conversations",
        periods.transcripts,
        lambda c: delete_batched(
            app,
            CONVERSATIONS,
            idle_conversations(c, dry_run),
            key=CONVERSATIONS.c.conversation_id,
            **opts,
        ),
    )
    for name, step in retention_console.steps(app, now, dry_run, opts).items():
        run(name, periods.transcripts, step)
    # After the turns: a training example lives as long as a turn it came from.
    for name, step in training_data.steps(app, dry_run).items():
        run(name, periods.transcripts, step)
    run(
        "otp_challenges",
        periods.otp,
        lambda c: delete_batched(
            app,
            OTP,
            and_(OTP.c.created_at < c, or_(OTP.c.locked_until.is_(None), OTP.c.locked_until < now)),
            **opts,
        ),
    )
    run("sms_outbox", periods.sms, lambda c: delete_batched(app, SMS, SMS.c.created_at < c, **opts))
    # A notification still on its way is kept whatever its age (the sender needs it).
    run(
        "notifications",
        periods.notifications,
        lambda c: delete_batched(
            app,
            NOTIFICATIONS,
            and_(
                NOTIFICATIONS.c.created_at < c,
                NOTIFICATIONS.c.state.notin_(("pending", "sending")),
            ),
            **opts,
        ),
    )
    run(
        "tickets",
        periods.tickets,
        lambda c: update_batched(
            app,
            TICKETS,
            and_(TICKETS.c.updated_at < c, TICKETS.c.national_id != ""),
            anonymised_ticket(),
            **opts,
        ),
    )
    run(
        "objections",
        periods.objections,
        lambda c: update_batched(
            app,
            OBJECTIONS,
            and_(OBJECTIONS.c.updated_at < c, OBJECTIONS.c.national_id != ""),
            ANONYMISED_OBJECTION,
            **opts,
        ),
    )
    run("audit_log", periods.audit, lambda c: delete_batched(app, AUDIT, AUDIT.c.at < c, **opts))
    if has_events(tracker):
        run(
            "events",
            periods.transcripts,
            lambda c: delete_batched(tracker, EVENTS, events_to_purge(c.timestamp()), **opts),
        )
    if not dry_run:
        with app.begin() as conn:
            write_audit(
                conn,
                actor,
                "retention.purged",
                "retention",
                now.date().isoformat(),
                {"rows": counts, "days": asdict(periods)},
            )
    return counts


def write_audit(
    conn, actor: str, action: str, subject_type: str, subject_id: str, detail: Dict
) -> int:
    """An audit entry in the caller's Core transaction (bot.store.audit.record's format)."""
    result = conn.execute(
        insert(AUDIT).values(
            at=utcnow(),
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id)[:64],
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )
    return int(result.inserted_primary_key[0])
