"""Payment objections (اعتراض على دفعة): created and decided in the back office,
reported to their owner by the assistant after a one-time code.

Statuses: under_review (قيد الدراسة), accepted (مقبول), rejected (مرفوض).
The 90-day reply time and the retroactive payment of accepted objections come
from the program facts (bot/content/program.yml, seed 003).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.content import ARABIC, case_text, fact
from bot.masking import mask_id, mask_mobile
from bot.services import labels, notifications
from bot.services.verification import otp
from bot.services.verification.validators import (
    OBJECTION_NUMBER_LENGTH,
    luhn_check_digit,
    national_id_valid,
    parse_mobile,
    parse_objection_number,
)
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.errors import StoreUnavailable, is_unavailable
from bot.store.objections import OBJECTION_STATUSES, Objection

logger = logging.getLogger(__name__)

OTP_PURPOSE = "objection_status"  # what an objection's one-time codes unlock


@dataclass
class ObjectionView:
    number: str
    status: str
    payment_cycle: str
    amount: Optional[Decimal]
    submitted_on: date
    decided_on: Optional[date]
    decision_note: Optional[str]

    @property
    def status_label(self) -> str:
        return OBJECTION_STATUSES.get(self.status, self.status)

    @property
    def reply_due(self) -> date:
        return self.submitted_on + timedelta(days=int(fact("objections.reply_days")))


def _view(o: Objection) -> ObjectionView:
    return ObjectionView(
        o.number,
        o.status,
        o.payment_cycle,
        _sar(o.amount_halalas),
        o.submitted_on,
        o.decided_on,
        o.decision_note,
    )


def _sar(halalas: Optional[int]) -> Optional[Decimal]:
    return None if halalas is None else (Decimal(halalas) / 100).quantize(Decimal("0.01"))


def _halalas(amount: Optional[Decimal]) -> Optional[int]:
    return None if amount is None else int(amount * 100)


def new_objection_number() -> str:
    """9 digits, no leading zero, the last a Luhn check digit."""
    n = OBJECTION_NUMBER_LENGTH - 1
    body = str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))
    return body + luhn_check_digit(body)


def _amount(value: Any) -> Optional[Decimal]:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"invalid amount {value!r}")
    if amount < 0:
        raise ValueError("amount must not be negative")
    return amount


def _date(value: Any) -> Optional[date]:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"invalid date {value!r} (use YYYY-MM-DD)")


def _status(value: str) -> str:
    if value not in OBJECTION_STATUSES:
        raise ValueError(f"unknown status {value!r}; one of {', '.join(OBJECTION_STATUSES)}")
    return value


def create_objection(
    national_id: str,
    mobile: str,
    payment_cycle: str,
    amount: Any = None,
    submitted_on: Any = None,
    status: str = "under_review",
    decided_on: Any = None,
    decision_note: Optional[str] = None,
    number: Optional[str] = None,
    actor: str = "backoffice",
) -> ObjectionView:
    if not national_id_valid(national_id):
        raise ValueError("invalid national id (10 digits, starts with 1 or 2, check digit)")
    parsed_mobile = parse_mobile(mobile)
    if not parsed_mobile.ok:
        raise ValueError("invalid Saudi mobile (05xxxxxxxx)")
    if not (payment_cycle or "").strip():
        raise ValueError("payment cycle is required")
    if number is not None:
        parsed = parse_objection_number(number)
        if not parsed.ok:
            raise ValueError("objection number: 9 digits with a valid check digit")
        number = parsed.value
    status = _status(status)
    submitted = _date(submitted_on) or utcnow().date()
    decided = _date(decided_on)
    if status != "under_review" and decided is None:
        decided = utcnow().date()
    if decided and decided < submitted:
        raise ValueError("decision date is before the submission date")
    with session_scope() as session:
        if number is None:
            number = new_objection_number()
            while session.execute(select(Objection.id).where(Objection.number == number)).first():
                number = new_objection_number()
        obj = Objection(
            number=number,
            national_id=national_id,
            mobile=parsed_mobile.value,
            status=status,
            payment_cycle=payment_cycle.strip(),
            amount_halalas=_halalas(_amount(amount)),
            submitted_on=submitted,
            decided_on=decided,
            decision_note=(decision_note or "").strip() or None,
        )
        session.add(obj)
        session.flush()
        audit.record(
            session,
            actor,
            "objection.created",
            "objection",
            number,
            {
                "national_id": mask_id(national_id),
                "mobile": mask_mobile(parsed_mobile.value),
                "status": status,
                "payment_cycle": obj.payment_cycle,
                "amount": _amount(amount),
                "submitted_on": submitted,
                "decided_on": decided,
            },
        )
        return _view(obj)


UPDATABLE = (
    "status",
    "payment_cycle",
    "amount",
    "submitted_on",
    "decided_on",
    "decision_note",
    "mobile",
)


def update_objection(number: str, actor: str = "backoffice", **changes: Any) -> ObjectionView:
    """Change fields of an objection; every change is audited (old → new), and a new status
    is announced to the citizen (bot.services.notifications, same transaction)."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"cannot update {', '.join(sorted(unknown))}")
    with session_scope() as session:
        obj = session.execute(
            select(Objection).where(Objection.number == number)
        ).scalar_one_or_none()
        if obj is None:
            raise LookupError(f"no objection {number}")
        diff: Dict[str, Any] = {}

        def put(name: str, value: Any, shown: Any = None) -> None:
            old = getattr(obj, name)
            if old != value:
                diff[name] = {
                    "from": old if shown is None else shown[0],
                    "to": value if shown is None else shown[1],
                }
                setattr(obj, name, value)

        if "status" in changes and changes["status"] is not None:
            put("status", _status(changes["status"]))
        if changes.get("payment_cycle"):
            put("payment_cycle", changes["payment_cycle"].strip())
        if "amount" in changes and changes["amount"] is not None:
            new = _halalas(_amount(changes["amount"]))
            put("amount_halalas", new, (_sar(obj.amount_halalas), _sar(new)))
        if changes.get("submitted_on"):
            put("submitted_on", _date(changes["submitted_on"]))
        if changes.get("decided_on"):
            put("decided_on", _date(changes["decided_on"]))
        if "decision_note" in changes and changes["decision_note"] is not None:
            put("decision_note", changes["decision_note"].strip() or None)
        if changes.get("mobile"):
            parsed = parse_mobile(changes["mobile"])
            if not parsed.ok:
                raise ValueError("invalid Saudi mobile (05xxxxxxxx)")
            put("mobile", parsed.value, (mask_mobile(obj.mobile), mask_mobile(parsed.value)))

        if obj.status == "under_review" and "status" in diff:
            obj.decided_on = None  # reopened: no decision yet
        elif obj.status != "under_review" and obj.decided_on is None:
            put("decided_on", utcnow().date())
        if obj.decided_on and obj.decided_on < obj.submitted_on:
            raise ValueError("decision date is before the submission date")
        if diff:
            obj.updated_at = utcnow()
            entry = audit.record(session, actor, "objection.updated", "objection", number, diff)
        session.flush()
        if "status" in diff:
            # Same transaction: the decision and the citizen's notification commit together.
            notifications.enqueue_objection_change(session, obj, entry.id)
        return _view(obj)


def find_for_owner(number: str, national_id: str) -> Optional[ObjectionView]:
    """The objection only if the pair matches; a wrong pair looks exactly like an unknown number."""
    row = _find_row(number, national_id)
    return _view(row) if row else None


def registered_mobile(number: str, national_id: str) -> Optional[str]:
    row = _find_row(number, national_id)
    return row.mobile if row else None


def _find_row(number: str, national_id: str) -> Optional[Objection]:
    try:
        with session_scope() as session:
            return session.execute(
                select(Objection).where(
                    Objection.number == number, Objection.national_id == national_id
                )
            ).scalar_one_or_none()
    except Exception as exc:
        if is_unavailable(exc):
            raise StoreUnavailable(type(exc).__name__) from exc
        raise


def list_objections(status: Optional[str] = None, limit: int = 50) -> List[Objection]:
    with session_scope() as session:
        query = (
            select(Objection)
            .order_by(Objection.created_at.desc(), Objection.id.desc())
            .limit(limit)
        )
        if status:
            query = query.where(Objection.status == _status(status))
        return list(session.execute(query).scalars().all())


# --------------------------------------------------------------------------- one-time code


def issue_code(
    conversation_id: str,
    objection_number: str,
    national_id: str,
    now: Optional[datetime] = None,
    lang: str = ARABIC,
) -> otp.IssueResult:
    """Send a code to the mobile registered on the objection, if the ID/number pair matches,
    in an SMS in `lang` (the conversation's). A wrong pair and an unknown number give the
    same NOT_FOUND."""
    mobile = registered_mobile(objection_number, national_id)
    if mobile is None:
        logger.info("objection status: no match for %s", mask_id(national_id))
        return otp.IssueResult(otp.NOT_FOUND)
    return otp.issue(OTP_PURPOSE, objection_number, conversation_id, mobile, now, lang)


def verify_code(
    conversation_id: str, objection_number: str, code: str, now: Optional[datetime] = None
) -> otp.VerifyResult:
    return otp.verify(OTP_PURPOSE, objection_number, conversation_id, code, now)


def is_verified(
    objection_number: str, conversation_id: str, now: Optional[datetime] = None
) -> bool:
    """Has this conversation proved recently that it owns the objection?"""
    return otp.is_verified(OTP_PURPOSE, objection_number, conversation_id, now)


# --------------------------------------------------------------------------- wording


def _money(amount: Optional[Decimal], lang: str = ARABIC) -> str:
    if amount is None:
        return ""
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return case_text("objections.riyals", lang, amount=text)


def describe_for_owner(o: ObjectionView, today: Optional[date] = None, lang: str = ARABIC) -> str:
    """The report shown to the verified owner, in the conversation's language: status,
    dates, what happens next (bot/content/cases.yml, `objections.status`)."""
    today = today or utcnow().date()

    def say(key: str, **values: Any) -> str:
        return case_text(f"objections.status.{key}", lang, **values)

    head = say("head", number=o.number, cycle=o.payment_cycle)
    if o.amount is not None:
        head += say("amount", amount=_money(o.amount, lang))
    lines = [
        head,
        say("status", status=labels.objection_status(o.status, lang)),
        say("submitted", date=o.submitted_on.isoformat()),
    ]
    if o.status == "under_review":
        lines.append(say("reply_due", date=o.reply_due.isoformat()))
        if today > o.reply_due:
            lines.append(say("overdue"))
    elif o.status == "accepted":
        if o.decided_on:
            lines.append(say("accepted_on", date=o.decided_on.isoformat()))
        lines.append(say("accepted"))
    elif o.status == "rejected":
        if o.decided_on:
            lines.append(say("rejected_on", date=o.decided_on.isoformat()))
    if o.decision_note:
        lines.append(say("note", note=o.decision_note))
    if o.status == "rejected":
        lines.append(say("rejected"))
    return "\n".join(lines)
