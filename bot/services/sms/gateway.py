"""SMS: one client class per gateway, picked by environment variables.

- OutboxGateway (default, local mode): writes the message to the `sms_outbox`
  table and to the log (mobile masked, one-time codes hidden). Nothing leaves
  the machine; developers and the end-to-end tests read the outbox.
- HttpGateway: POSTs JSON to SMS_GATEWAY_URL with `Authorization: Bearer
  $SMS_GATEWAY_TOKEN`, and records the delivery in the outbox (the body of a
  one-time-code message is not kept there).

    SMS_GATEWAY          outbox | http  (default: http when SMS_GATEWAY_URL is set)
    SMS_GATEWAY_URL      e.g. https://sms.example/api/messages
    SMS_GATEWAY_TOKEN    bearer token (optional)
    SMS_SENDER           sender name (default "CitizenAcc")
    SMS_GATEWAY_TIMEOUT  seconds (default 5)

Request body: {"message_id", "to" (+9665xxxxxxxx), "sender", "text"}; the
message_id is also sent as the Idempotency-Key header so a retry is not sent twice.
Sending never raises: the result says whether it worked.

Budgets (bot/services/sms/budget.py): every message, whatever the gateway, first gets its
outbox row, and in the same transaction the budgets per mobile, per national ID (new
tickets) and overall are checked. Past one, nothing is sent and the row says
"skipped_budget"; without the database nothing is sent either (the budgets could not be
checked). A message sent under the caller's stable id (the notification sender) learns
when the budget allows it (`SmsResult.retry_at`); sent again under that id, its row is
checked against the budgets once more and goes out if they allow it now.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple

from bot import metrics, settings
from bot.masking import mask_mobile, mask_text
from bot.services.sms import budget as sms_budget
from bot.services.verification.validators import mobile_e164, parse_mobile

logger = logging.getLogger(__name__)

OTP_REDACTED = "[رمز تحقق محجوب]"


@dataclass
class SmsResult:
    ok: bool
    message_id: str
    status: str  # "stored", "sent", "failed", "skipped_budget"
    provider_ref: Optional[str] = None
    error: Optional[str] = None
    retry_at: Optional[datetime] = None  # skipped: when the budget lets it through


def to_e164(mobile: str) -> str:
    """Any accepted Saudi mobile form to +9665xxxxxxxx (ValueError if impossible)."""
    parsed = parse_mobile(mobile)
    if not parsed.ok:
        raise ValueError("not a Saudi mobile number")
    return mobile_e164(parsed.value)


def masked(number: str) -> str:
    """+9665xxxxxxxx or 05xxxxxxxx as 05••••••xx (what the support team recognises)."""
    digits = (number or "").lstrip("+")
    if digits.startswith("966") and len(digits) == 12:
        digits = "0" + digits[3:]
    return mask_mobile(digits)


def loggable(body: str, kind: str) -> str:
    """The body as it may appear in a log: personal numbers masked, codes hidden."""
    text = mask_text(body)
    if kind == "otp":
        text = re.sub(r"\d{4,8}", "••••••", text)
    return text


def _outbox_model():
    from bot.store.sms import SmsMessage

    return SmsMessage


def _reserve(
    message_id: str,
    to: str,
    body: str,
    kind: str,
    gateway: str,
    status: str,
    national_id: Optional[str],
    again: bool = False,
) -> Tuple[Optional[str], Optional[datetime]]:
    """Write the message's outbox row and, in the same transaction, check the budgets.
    Returns the budget that stops it (the row then says so) and when that budget would let
    it through, or (None, None): the row has `status`. `again`: the row a budget stopped
    before is checked anew, as a message sent now."""
    from sqlalchemy import select

    from bot.store import session_scope
    from bot.store.base import utcnow

    outbox = _outbox_model()
    with session_scope() as session:
        sms_budget.serialise(session)
        if again:
            row = session.execute(
                select(outbox).where(outbox.message_id == message_id)
            ).scalar_one()
            row.status, row.error, row.created_at = status, None, utcnow()
        else:
            row = outbox(
                message_id=message_id, to=to, body=body, kind=kind, gateway=gateway, status=status
            )
            session.add(row)
        session.flush()  # SQLite: this write takes the lock that serialises budgets
        budget = sms_budget.exceeded(
            session, outbox, to, national_id, row.created_at, row.id, kind=kind
        )
        if not budget:
            return None, None
        row.status, row.error = sms_budget.SKIPPED_BUDGET, f"budget:{budget}"
        return budget, sms_budget.allowed_at(session, outbox, budget, to, row.created_at, row.id)


def _record(
    message_id: str, status: str, provider_ref: Optional[str] = None, error: Optional[str] = None
) -> None:
    """The delivery's outcome on the row `_reserve` wrote."""
    from sqlalchemy import select

    from bot.store import session_scope

    outbox = _outbox_model()
    with session_scope() as session:
        row = session.execute(select(outbox).where(outbox.message_id == message_id)).scalar_one()
        row.status, row.provider_ref, row.error = status, provider_ref, error


def _earlier(message_id: str) -> Optional[str]:
    """The status of an earlier attempt with this message id, or None."""
    from sqlalchemy import select

    from bot.store import session_scope

    outbox = _outbox_model()
    try:
        with session_scope() as session:
            return session.execute(
                select(outbox.status).where(outbox.message_id == message_id)
            ).scalar_one_or_none()
    except Exception:
        return None  # the reservation below reports the database being down


class Gateway:
    name = "base"
    reserved_status = "sending"  # the row's status until the gateway reports

    def stored_body(self, body: str, kind: str) -> str:
        return body

    def send(
        self,
        to: str,
        body: str,
        kind: str = "info",
        national_id: Optional[str] = None,
        message_id: Optional[str] = None,
    ) -> SmsResult:
        """Budget, outbox row, delivery. `national_id`: the ticket's, for the per-ID budget.
        `message_id`: the caller's stable id for a message it may send again after a crash
        (the notification sender): a message already delivered is not sent twice, one left
        half-way goes out again under the same idempotency key."""
        again = message_id is not None
        message_id = message_id or str(uuid.uuid4())
        try:
            number = to_e164(to)
        except ValueError as exc:
            logger.warning("SMS not sent (%s): bad number %s", kind, masked(to))
            return SmsResult(False, message_id, "failed", error=str(exc))
        earlier = _earlier(message_id) if again else None
        if earlier in ("sent", "stored"):
            return SmsResult(True, message_id, earlier)
        if earlier is not None and earlier != sms_budget.SKIPPED_BUDGET:
            return self.deliver(message_id, number, body, kind)
        try:
            budget, retry_at = _reserve(
                message_id,
                number,
                self.stored_body(body, kind),
                kind,
                self.name,
                self.reserved_status,
                national_id,
                again=earlier == sms_budget.SKIPPED_BUDGET,
            )
        except Exception as exc:  # database down: report, never raise
            logger.error(
                "SMS outbox write failed (%s to %s): %s", kind, masked(number), type(exc).__name__
            )
            return SmsResult(False, message_id, "failed", error=type(exc).__name__)
        if budget:
            sms_budget.record_skip(budget, kind, masked(number), number, national_id)
            return SmsResult(
                False,
                message_id,
                sms_budget.SKIPPED_BUDGET,
                error=f"budget:{budget}",
                retry_at=retry_at if again else None,
            )
        return self.deliver(message_id, number, body, kind)

    def deliver(self, message_id: str, number: str, body: str, kind: str) -> SmsResult:
        raise NotImplementedError


class OutboxGateway(Gateway):
    """Local mode: the outbox table is the delivery."""

    name = "outbox"
    reserved_status = "stored"

    def deliver(self, message_id: str, number: str, body: str, kind: str) -> SmsResult:
        logger.info("SMS [%s] to %s: %s", kind, masked(number), loggable(body, kind))
        return SmsResult(True, message_id, "stored")


class HttpGateway(Gateway):
    """A provider's HTTP API (or the tests' stand-in server)."""

    name = "http"

    def __init__(
        self,
        url: str,
        token: str = "",
        sender: str = "CitizenAcc",
        timeout: float = 5.0,
        retries: int = 1,
    ) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self.retries = retries

    def stored_body(self, body: str, kind: str) -> str:
        return OTP_REDACTED if kind == "otp" else body

    def deliver(self, message_id: str, number: str, body: str, kind: str) -> SmsResult:
        import requests

        headers = {"Idempotency-Key": message_id, "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"message_id": message_id, "to": number, "sender": self.sender, "text": body}

        result = SmsResult(False, message_id, "failed", error="not attempted")
        for attempt in range(self.retries + 1):
            try:
                response = requests.post(
                    self.url, json=payload, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                result = SmsResult(False, message_id, "failed", error=type(exc).__name__)
                continue
            if 200 <= response.status_code < 300:
                ref = None
                try:
                    data = response.json()
                    ref = str(data.get("id") or data.get("message_id") or "") or None
                except ValueError:
                    pass
                result = SmsResult(True, message_id, "sent", provider_ref=ref)
                break
            result = SmsResult(False, message_id, "failed", error=f"HTTP {response.status_code}")
            if response.status_code < 500:  # the request itself is wrong: retrying won't help
                break

        if result.ok:
            logger.info(
                "SMS [%s] sent to %s via HTTP (ref %s)", kind, masked(number), result.provider_ref
            )
        else:
            logger.error("SMS [%s] to %s failed via HTTP: %s", kind, masked(number), result.error)
        try:
            _record(message_id, result.status, result.provider_ref, result.error)
        except Exception as exc:
            logger.error("SMS delivery record not written: %s", type(exc).__name__)
        return result


def gateway() -> Gateway:
    """The gateway the environment asks for (read on every call, so tests can switch)."""
    current = settings.get()
    url = current.sms_gateway_url
    choice = current.sms_gateway.lower() or ("http" if url else "outbox")
    if choice == "http":
        if not url:
            logger.error("SMS_GATEWAY=http but SMS_GATEWAY_URL is empty; using the outbox")
            return OutboxGateway()
        return HttpGateway(
            url=url,
            token=current.sms_gateway_token,
            sender=current.sms_sender,
            timeout=current.sms_gateway_timeout,
        )
    return OutboxGateway()


def send(
    to: str,
    body: str,
    kind: str = "info",
    national_id: Optional[str] = None,
    message_id: Optional[str] = None,
) -> SmsResult:
    result = gateway().send(to, body, kind, national_id, message_id)
    metrics.inc(metrics.SMS, result.status)  # stored / sent / failed / skipped_budget
    return result
