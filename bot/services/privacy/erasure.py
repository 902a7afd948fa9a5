"""Erasure of one citizen's data on request (Saudi Personal Data Protection Law):
`python -m bot.backoffice erase --national-id ... | --mobile ... | --conversation ...`.

Who the citizen is, in our tables: the national ID and mobile are kept in clear only in
the structured columns of tickets and objections (transcripts store them masked), so the
citizen's conversations are found through those rows (the ticket's conversation id, the
one-time codes sent for their objections, the WhatsApp conversation of their mobile) and
through Rasa's tracker events, which hold what the citizen typed (user texts, slot values).

What happens to what is found (docs/privacy.md):
    conversations, transcripts, handoff episodes, tracker events    deleted
    webhook messages still waiting for their answer                 deleted
    web chat sessions                                               revoked: the widget's
        old token no longer opens the conversation (bot/store/web_sessions.py)
    one-time code records, SMS outbox, notifications and
    notification opt-outs (the notification history)                deleted
    tickets, objections                                             anonymised: they stay
        as case records for the program's statistics, without ID, mobile, conversation or
        free text
    the console's turn rows (bot_turns) and the review labels on them   deleted
    reviewed examples taken from those turns into training changes  removed from the
        change (bot/services/privacy/training_data.py; a released model is not retrained)
    the console's ratings (csat_ratings)                            anonymised: the score,
        day and channel stay for the averages, without conversation id or comment
    the console's daily rollups                                     untouched: counts only
    any other row that mentions the citizen's numbers or conversation ids (audit log
    details, another ticket's description, ...)                     those mentions masked
and one audit entry records the request with the masked subject and the counts.

By mobile: the records naming that mobile (and its WhatsApp conversation); by national
ID: the records naming that ID, and the mobiles and conversations on them; by
conversation: that conversation and the tickets opened in it. The search does not go
further (a mobile found on a citizen's ticket does not pull in another ID's tickets: a
phone can be shared).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection, Engine

from bot.masking import mask
from bot.nlu.arabic import to_ascii_digits
from bot.services.objections import OTP_PURPOSE as OBJECTION_STATUS
from bot.services.privacy import training_data
from bot.services.privacy.databases import has_events, open_engines
from bot.services.privacy.retention import ANONYMISED_OBJECTION, anonymised_ticket, write_audit
from bot.services.privacy.subject import Subject, masked_conversation, subject
from bot.services.privacy.tables import (
    ANONYMISED_RATING,
    AUDIT,
    CONVERSATIONS,
    EPISODE_DETAILS,
    EVENTS,
    HANDOFFS,
    LABELS,
    NOTIFICATIONS,
    OBJECTIONS,
    OPTOUTS,
    OTP,
    RATINGS,
    SMS,
    TICKETS,
    TRANSCRIPTS,
    TURNS,
)
from bot.services.verification.validators import mobile_e164
from bot.store import web_sessions
from bot.store.inbound import INBOUND_PENDING

CHUNK = 500  # values per IN (...) list
# What the report's rows mean (every other table: deleted).
ACTIONS = {
    "tickets": "anonymised",
    "objections": "anonymised",
    "csat_ratings": "anonymised",
    "mentions": "masked",
    "revoked_web_sessions": "revoked",
    "training_examples": "removed",
}
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass
class Found:
    national_ids: Set[str] = field(default_factory=set)
    mobiles: Set[str] = field(default_factory=set)  # 05xxxxxxxx
    conversations: Set[str] = field(default_factory=set)
    ticket_ids: Set[int] = field(default_factory=set)
    ticket_numbers: Set[str] = field(default_factory=set)
    objection_ids: Set[int] = field(default_factory=set)
    objection_numbers: Set[str] = field(default_factory=set)


@dataclass
class ErasureReport:
    subject: str  # masked
    kind: str
    conversations: int
    rows: Dict[str, int]  # table -> rows deleted, anonymised or masked
    dry_run: bool = False
    audit_id: Optional[int] = None


def _chunks(values: Iterable, size: int = CHUNK) -> Iterable[List]:
    values = sorted(values, key=str)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in(col, values: Iterable):
    """col IN (...) in chunks, OR-ed (False for no values)."""
    parts = [col.in_(chunk) for chunk in _chunks(values)]
    return or_(*parts) if parts else col.in_([])


def _pattern(found: Found) -> Optional[re.Pattern]:
    """Matches the citizen's numbers (digits already ASCII) and conversation ids."""
    parts = [rf"(?<!\d){re.escape(n)}(?!\d)" for n in sorted(found.national_ids)]
    parts += [rf"(?<!\d)(?:00966|\+?966|0)?{re.escape(m[1:])}(?!\d)" for m in sorted(found.mobiles)]
    parts += [re.escape(c) for c in sorted(found.conversations, key=len, reverse=True)]
    return re.compile("|".join(parts)) if parts else None


def _needles(found: Found) -> List[str]:
    """Substrings a SQL LIKE can look for: every ID and mobile core in Western and
    Arabic-Indic digits (the latter also as JSON escapes), and the conversation ids."""
    needles: List[str] = []
    for number in sorted(found.national_ids) + [m[1:] for m in sorted(found.mobiles)]:
        arabic = number.translate(ARABIC_DIGITS)
        needles += [number, arabic, json.dumps(arabic)[1:-1]]
    return needles + sorted(found.conversations)


def _mentions(value, pattern: re.Pattern) -> bool:
    """Does a tracker event's data mention the citizen? Only its texts and values are read:
    a 10-digit national ID can also be a Unix timestamp."""
    if isinstance(value, dict):
        return any(_mentions(v, pattern) for k, v in value.items() if k != "timestamp")
    if isinstance(value, list):
        return any(_mentions(v, pattern) for v in value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return pattern.search(to_ascii_digits(str(value))) is not None
    return False


def _tracker_senders(tracker: Connection, found: Found) -> Set[str]:
    pattern = _pattern(Found(national_ids=found.national_ids, mobiles=found.mobiles))
    if pattern is None:
        return set()
    needles = _needles(Found(national_ids=found.national_ids, mobiles=found.mobiles))
    rows = tracker.execute(
        select(EVENTS.c.sender_id, EVENTS.c.data).where(
            or_(*[EVENTS.c.data.contains(n, autoescape=True) for n in needles])
        )
    ).all()
    senders = set()
    for sender_id, data in rows:
        if sender_id in senders:
            continue
        try:
            if _mentions(json.loads(data or "null"), pattern):
                senders.add(sender_id)
        except ValueError:
            if pattern.search(to_ascii_digits(data or "")):
                senders.add(sender_id)
    return senders


def find(app: Connection, tracker: Optional[Connection], who: Subject) -> Found:
    found = Found()
    ids = {who.value} if who.kind == "national_id" else set()
    mobiles = {who.value} if who.kind == "mobile" else set()
    found.national_ids |= ids
    found.mobiles |= mobiles
    if who.kind == "conversation":
        found.conversations.add(who.value)
    for m in mobiles:
        found.conversations.add("whatsapp:" + mobile_e164(m)[1:])
    take_contacts = who.kind == "national_id"

    ticket_match = [TICKETS.c.national_id.in_(ids), TICKETS.c.mobile.in_(mobiles)]
    if found.conversations:
        ticket_match.append(_in(TICKETS.c.conversation_id, found.conversations))
    for row in app.execute(
        select(TICKETS.c.id, TICKETS.c.number, TICKETS.c.mobile, TICKETS.c.conversation_id).where(
            or_(*ticket_match)
        )
    ):
        found.ticket_ids.add(row.id)
        found.ticket_numbers.add(row.number)
        if row.conversation_id:
            found.conversations.add(row.conversation_id)
        if take_contacts and row.mobile:
            found.mobiles.add(row.mobile)
    for row in app.execute(
        select(OBJECTIONS.c.id, OBJECTIONS.c.number, OBJECTIONS.c.mobile).where(
            or_(OBJECTIONS.c.national_id.in_(ids), OBJECTIONS.c.mobile.in_(mobiles))
        )
    ):
        found.objection_ids.add(row.id)
        found.objection_numbers.add(row.number)
        if take_contacts and row.mobile:
            found.mobiles.add(row.mobile)
    if take_contacts:
        for m in found.mobiles - mobiles:
            found.conversations.add("whatsapp:" + mobile_e164(m)[1:])
    otp_match = [_in(OTP.c.conversation_id, found.conversations)]
    if found.objection_numbers:
        otp_match.append(
            (OTP.c.purpose == OBJECTION_STATUS) & _in(OTP.c.subject, found.objection_numbers)
        )
    found.conversations |= set(
        app.execute(select(OTP.c.conversation_id).where(or_(*otp_match))).scalars()
    )
    if tracker is not None:
        found.conversations |= _tracker_senders(tracker, found)
    return found


# Text columns where another row may mention the citizen: the mentions are masked.
SCRUBBED = [
    (TICKETS, "description"),
    (TICKETS, "status_note"),
    (OBJECTIONS, "decision_note"),
    (SMS, "body"),
    (HANDOFFS, "reason_detail"),
    (HANDOFFS, "snapshot"),
    (TRANSCRIPTS, "text"),
    (AUDIT, "subject_id"),
    (AUDIT, "detail"),
    (TURNS, "text"),
    (RATINGS, "comment"),
    (LABELS, "text"),
    (LABELS, "note"),
]


def _mask_match(match: re.Match) -> str:
    text = match.group()
    return masked_conversation(text) if not text.lstrip("+").isdigit() else mask(text, 2, 2)


def _scrub(app: Connection, found: Found) -> int:
    pattern, needles = _pattern(found), _needles(found)
    if pattern is None:
        return 0
    touched = 0
    for tbl, name in SCRUBBED:
        col = tbl.c[name]
        rows = app.execute(
            select(tbl.c.id, col).where(or_(*[col.contains(n, autoescape=True) for n in needles]))
        ).all()
        for row_id, text in rows:
            ascii_text = to_ascii_digits(text)
            if pattern.search(ascii_text):
                app.execute(
                    update(tbl)
                    .where(tbl.c.id == row_id)
                    .values({name: pattern.sub(_mask_match, ascii_text)})
                )
                touched += 1
    return touched


def _notifications(found: Found):
    """The citizen's notification history: by conversation, mobile or case number."""
    match = [
        _in(NOTIFICATIONS.c.conversation_id, found.conversations),
        _in(NOTIFICATIONS.c.mobile, found.mobiles),
    ]
    if found.ticket_numbers:
        match.append(
            (NOTIFICATIONS.c.subject_type == "ticket")
            & _in(NOTIFICATIONS.c.subject_number, found.ticket_numbers)
        )
    if found.objection_numbers:
        match.append(
            (NOTIFICATIONS.c.subject_type == "objection")
            & _in(NOTIFICATIONS.c.subject_number, found.objection_numbers)
        )
    return or_(*match)


def _apply(app: Connection, found: Found) -> Dict[str, int]:
    convs = found.conversations
    rows: Dict[str, int] = {}
    rows["transcript_messages"] = app.execute(
        delete(TRANSCRIPTS).where(_in(TRANSCRIPTS.c.conversation_id, convs))
    ).rowcount
    rows["conversations"] = app.execute(
        delete(CONVERSATIONS).where(_in(CONVERSATIONS.c.conversation_id, convs))
    ).rowcount
    episodes = select(HANDOFFS.c.id).where(_in(HANDOFFS.c.conversation_id, convs))
    for name, tbl in EPISODE_DETAILS:
        rows[name] = app.execute(delete(tbl).where(tbl.c.handoff_id.in_(episodes))).rowcount
    rows["handoffs"] = app.execute(
        delete(HANDOFFS).where(_in(HANDOFFS.c.conversation_id, convs))
    ).rowcount
    turns = _in(TURNS.c.conversation_id, convs)
    rows["training_examples"] = training_data.forget_turns(
        app, app.execute(select(TURNS.c.id).where(turns)).scalars().all()
    )
    rows["review_labels"] = app.execute(
        delete(LABELS).where(LABELS.c.turn_id.in_(select(TURNS.c.id).where(turns)))
    ).rowcount
    rows["bot_turns"] = app.execute(delete(TURNS).where(turns)).rowcount
    rows["csat_ratings"] = app.execute(
        update(RATINGS).where(_in(RATINGS.c.conversation_id, convs)).values(**ANONYMISED_RATING)
    ).rowcount
    pending = app.execute(
        delete(INBOUND_PENDING).where(_in(INBOUND_PENDING.c.conversation_id, convs))
    ).rowcount
    if pending:  # rarely any: a message is pending for seconds
        rows["inbound_pending"] = pending
    otp_match = [_in(OTP.c.conversation_id, convs)]
    if found.objection_numbers:
        otp_match.append(
            (OTP.c.purpose == OBJECTION_STATUS) & _in(OTP.c.subject, found.objection_numbers)
        )
    rows["otp_challenges"] = app.execute(delete(OTP).where(or_(*otp_match))).rowcount
    sms_match = [_in(SMS.c.to, {mobile_e164(m) for m in found.mobiles})]
    sms_match += [SMS.c.body.contains(n, autoescape=True) for n in sorted(found.ticket_numbers)]
    rows["sms_outbox"] = app.execute(delete(SMS).where(or_(*sms_match))).rowcount
    rows["notifications"] = app.execute(delete(NOTIFICATIONS).where(_notifications(found))).rowcount
    targets = [f"conversation:{c}" for c in convs] + [f"mobile:{m}" for m in found.mobiles]
    rows["notification_optouts"] = app.execute(
        delete(OPTOUTS).where(_in(OPTOUTS.c.target, targets))
    ).rowcount
    rows["tickets"] = app.execute(
        update(TICKETS).where(_in(TICKETS.c.id, found.ticket_ids)).values(**anonymised_ticket())
    ).rowcount
    rows["objections"] = app.execute(
        update(OBJECTIONS)
        .where(_in(OBJECTIONS.c.id, found.objection_ids))
        .values(**ANONYMISED_OBJECTION)
    ).rowcount
    rows["mentions"] = _scrub(app, found)
    rows["revoked_web_sessions"] = web_sessions.revoke(app, convs)
    return rows


def erase(
    national_id: Optional[str] = None,
    mobile: Optional[str] = None,
    conversation_id: Optional[str] = None,
    actor: str = "backoffice",
    dry_run: bool = False,
    app: Optional[Engine] = None,
    tracker: Optional[Engine] = None,
) -> ErasureReport:
    """Erase one citizen (see the module docstring). Tracker events go first, in their own
    transaction: if our tables' transaction then fails, running the erasure again finds the
    same citizen through the rows still there. With dry_run both transactions are rolled
    back: the report says what would be touched and nothing is written."""
    who = subject(national_id, mobile, conversation_id)
    own_engines = app is None
    if own_engines:
        app, tracker = open_engines()
    tracker = tracker if has_events(tracker) else None
    try:
        with app.connect() as a, tracker.connect() if tracker is not None else _Null() as t:
            app_tx, tracker_tx = a.begin(), (t.begin() if t is not None else None)
            found = find(a, t, who)
            events = 0
            if tracker_tx is not None:
                events = t.execute(
                    delete(EVENTS).where(_in(EVENTS.c.sender_id, found.conversations))
                ).rowcount
                tracker_tx.rollback() if dry_run else tracker_tx.commit()
            rows = _apply(a, found)
            rows["events"] = events
            report = ErasureReport(who.masked, who.kind, len(found.conversations), rows, dry_run)
            audit_id = write_audit(
                a,
                actor,
                "privacy.erased",
                "citizen",
                who.masked,
                {"by": who.kind, "conversations": len(found.conversations), "rows": rows},
            )
            if dry_run:
                app_tx.rollback()
            else:
                app_tx.commit()
                report.audit_id = audit_id
            return report
    finally:
        if own_engines and tracker is not None and tracker is not app:
            tracker.dispose()


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
