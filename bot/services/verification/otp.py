"""One-time codes by SMS: prove you are the person before anything is revealed.

- A 6-digit code, valid 5 minutes, sent to the mobile registered on the record
  (never to a number the asker types).
- Only a salted HMAC of the code is stored (key: $OTP_SECRET).
- 3 wrong codes lock the record for a cool-down (default 15 minutes) in every
  conversation, and at most 3 codes are sent per record per cool-down window,
  so nobody can guess codes or flood a citizen's phone.
- Codes count against the per-mobile SMS budget shared with ticket messages
  (bot/services/sms/budget.py); past it no code is sent and the asker is told to try later.
- Issuing and verifying are tied to the conversation that asked.
- Generic: a code is for a `purpose` (what is being unlocked, e.g. "objection_status")
  and a `subject` (which record, e.g. the objection number). Finding the record and its
  registered mobile is the feature's job (bot.services.objections).

The clock is a parameter (`now=`) so tests can move time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Optional

from sqlalchemy import func, select

from bot import settings
from bot.content import ARABIC, case_text
from bot.services.sms import gateway as sms
from bot.store import session_scope
from bot.store.base import utcnow
from bot.store.errors import StoreUnavailable, is_unavailable
from bot.store.otp import OtpChallenge

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 3
MAX_SENDS = 3
VERIFIED_FOR = timedelta(minutes=15)  # how long a verified code unlocks the record

# Results
SENT, NOT_FOUND, COOLDOWN, TOO_MANY, SMS_FAILED = (
    "sent",
    "not_found",
    "cooldown",
    "too_many",
    "sms_failed",
)
OK, WRONG, EXPIRED, LOCKED, NO_CODE = "ok", "wrong", "expired", "locked", "no_code"


def cooldown() -> timedelta:
    return timedelta(minutes=settings.get().otp_cooldown_minutes)


def _secret() -> bytes:
    # A local default keeps development working; production sets OTP_SECRET.
    return settings.get().otp_secret.encode()


def hash_code(code: str, salt: str) -> str:
    return hmac.new(_secret(), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _minutes(delta: timedelta) -> int:
    return max(1, ceil(delta.total_seconds() / 60))


@dataclass
class IssueResult:
    status: str
    retry_after_minutes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == SENT


@dataclass
class VerifyResult:
    status: str
    attempts_left: int = 0
    retry_after_minutes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == OK


def otp_sms_text(code: str, lang: str = ARABIC) -> str:
    """The code's SMS, in the language of the conversation that asked for it."""
    return case_text("otp.sms", lang, code=code, minutes=int(CODE_TTL.total_seconds() // 60))


def _guard(exc: Exception) -> None:
    if is_unavailable(exc):
        raise StoreUnavailable(type(exc).__name__) from exc
    raise exc


def _locked_until(session, purpose: str, subject: str, now: datetime) -> Optional[datetime]:
    return session.execute(
        select(func.max(OtpChallenge.locked_until)).where(
            OtpChallenge.purpose == purpose,
            OtpChallenge.subject == subject,
            OtpChallenge.locked_until > now,
        )
    ).scalar_one_or_none()


def issue(
    purpose: str,
    subject: str,
    conversation_id: str,
    mobile: str,
    now: Optional[datetime] = None,
    lang: str = ARABIC,
) -> IssueResult:
    """Send a new code for `subject` to `mobile` (the registered one), in an SMS in `lang`.
    Replaces older codes of this conversation. Raises StoreUnavailable when the database
    is down."""
    now = now or utcnow()
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    try:
        with session_scope() as session:
            locked = _locked_until(session, purpose, subject, now)
            if locked:
                return IssueResult(COOLDOWN, _minutes(locked - now))
            window_start = now - cooldown()
            recent = (
                session.execute(
                    select(OtpChallenge.created_at)
                    .where(
                        OtpChallenge.purpose == purpose,
                        OtpChallenge.subject == subject,
                        OtpChallenge.created_at > window_start,
                    )
                    .order_by(OtpChallenge.created_at)
                )
                .scalars()
                .all()
            )
            if len(recent) >= MAX_SENDS:
                return IssueResult(TOO_MANY, _minutes(recent[0] + cooldown() - now))
            for old in session.execute(
                select(OtpChallenge).where(
                    OtpChallenge.purpose == purpose,
                    OtpChallenge.subject == subject,
                    OtpChallenge.conversation_id == conversation_id,
                    OtpChallenge.superseded.is_(False),
                    OtpChallenge.verified_at.is_(None),
                )
            ).scalars():
                old.superseded = True
            challenge = OtpChallenge(
                purpose=purpose,
                subject=subject,
                conversation_id=conversation_id,
                code_hash=hash_code(code, salt),
                salt=salt,
                attempts=0,
                created_at=now,
                expires_at=now + CODE_TTL,
                superseded=False,
            )
            session.add(challenge)
            session.flush()
            challenge_id = challenge.id
    except Exception as exc:
        _guard(exc)
    result = sms.send(mobile, otp_sms_text(code, lang), kind="otp")
    if not result.ok:
        try:
            with session_scope() as session:
                row = session.get(OtpChallenge, challenge_id)
                if row is not None:
                    row.superseded = True
        except Exception:
            pass
        return IssueResult(SMS_FAILED)
    return IssueResult(SENT)


def verify(
    purpose: str, subject: str, conversation_id: str, code: str, now: Optional[datetime] = None
) -> VerifyResult:
    now = now or utcnow()
    try:
        with session_scope() as session:
            locked = _locked_until(session, purpose, subject, now)
            if locked:
                return VerifyResult(LOCKED, 0, _minutes(locked - now))
            challenge = (
                session.execute(
                    select(OtpChallenge)
                    .where(
                        OtpChallenge.purpose == purpose,
                        OtpChallenge.subject == subject,
                        OtpChallenge.conversation_id == conversation_id,
                        OtpChallenge.superseded.is_(False),
                        OtpChallenge.verified_at.is_(None),
                    )
                    .order_by(OtpChallenge.created_at.desc(), OtpChallenge.id.desc())
                    .with_for_update()
                )
                .scalars()
                .first()
            )
            if challenge is None:
                return VerifyResult(NO_CODE)
            if challenge.expires_at <= now:
                return VerifyResult(EXPIRED)
            if hmac.compare_digest(challenge.code_hash, hash_code(code, challenge.salt)):
                challenge.verified_at = now
                return VerifyResult(OK)
            challenge.attempts += 1
            left = MAX_ATTEMPTS - challenge.attempts
            if left <= 0:
                challenge.locked_until = now + cooldown()
                challenge.superseded = True
                logger.warning(
                    "OTP locked for %s %s after %d wrong codes",
                    purpose,
                    subject[:2] + "…",
                    MAX_ATTEMPTS,
                )
                return VerifyResult(LOCKED, 0, _minutes(cooldown()))
            return VerifyResult(WRONG, left)
    except Exception as exc:
        _guard(exc)


def awaiting_code(conversation_id: str, now: Optional[datetime] = None) -> bool:
    """Was a code sent to this conversation that is still waiting to be typed? (Then a
    bare number the citizen writes is taken for it and masked: channels/pipeline.py.)
    Raises StoreUnavailable when the database is down."""
    now = now or utcnow()
    try:
        with session_scope() as session:
            return (
                session.execute(
                    select(OtpChallenge.id)
                    .where(
                        OtpChallenge.conversation_id == conversation_id,
                        OtpChallenge.superseded.is_(False),
                        OtpChallenge.verified_at.is_(None),
                        OtpChallenge.expires_at > now,
                    )
                    .limit(1)
                ).first()
                is not None
            )
    except Exception as exc:
        _guard(exc)


def is_verified(
    purpose: str, subject: str, conversation_id: str, now: Optional[datetime] = None
) -> bool:
    """Has this conversation proved itself for `subject` recently?"""
    now = now or utcnow()
    try:
        with session_scope() as session:
            return (
                session.execute(
                    select(OtpChallenge.id).where(
                        OtpChallenge.purpose == purpose,
                        OtpChallenge.subject == subject,
                        OtpChallenge.conversation_id == conversation_id,
                        OtpChallenge.verified_at.is_not(None),
                        OtpChallenge.verified_at > now - VERIFIED_FOR,
                    )
                ).first()
                is not None
            )
    except Exception as exc:
        _guard(exc)
