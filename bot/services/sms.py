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
"""
from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass
from typing import Optional

from bot.privacy import mask_mobile, mask_text
from bot.services.validators import mobile_e164, parse_mobile

logger = logging.getLogger(__name__)

OTP_REDACTED = "[رمز تحقق محجوب]"


@dataclass
class SmsResult:
    ok: bool
    message_id: str
    status: str                 # "stored", "sent", "failed"
    provider_ref: Optional[str] = None
    error: Optional[str] = None


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


def _record(message_id: str, to: str, body: str, kind: str, gateway: str, status: str,
            provider_ref: Optional[str] = None, error: Optional[str] = None) -> None:
    from bot.store import session_scope
    from bot.store.sms import SmsMessage

    with session_scope() as session:
        session.add(SmsMessage(
            message_id=message_id, to=to, body=body, kind=kind, gateway=gateway,
            status=status, provider_ref=provider_ref, error=error,
        ))


class Gateway:
    name = "base"

    def send(self, to: str, body: str, kind: str = "info") -> SmsResult:
        raise NotImplementedError


class OutboxGateway(Gateway):
    """Local mode: the outbox table is the delivery."""

    name = "outbox"

    def send(self, to: str, body: str, kind: str = "info") -> SmsResult:
        message_id = str(uuid.uuid4())
        try:
            number = to_e164(to)
        except ValueError as exc:
            logger.warning("SMS not sent (%s): bad number %s", kind, masked(to))
            return SmsResult(False, message_id, "failed", error=str(exc))
        try:
            _record(message_id, number, body, kind, self.name, "stored")
        except Exception as exc:  # database down: report, never raise
            logger.error("SMS outbox write failed (%s to %s): %s", kind, masked(number),
                         type(exc).__name__)
            return SmsResult(False, message_id, "failed", error=type(exc).__name__)
        logger.info("SMS [%s] to %s: %s", kind, masked(number), loggable(body, kind))
        return SmsResult(True, message_id, "stored")


class HttpGateway(Gateway):
    """A provider's HTTP API (or the tests' stand-in server)."""

    name = "http"

    def __init__(self, url: str, token: str = "", sender: str = "CitizenAcc",
                 timeout: float = 5.0, retries: int = 1) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self.retries = retries

    def send(self, to: str, body: str, kind: str = "info") -> SmsResult:
        import requests

        message_id = str(uuid.uuid4())
        try:
            number = to_e164(to)
        except ValueError as exc:
            logger.warning("SMS not sent (%s): bad number %s", kind, masked(to))
            return SmsResult(False, message_id, "failed", error=str(exc))

        headers = {"Idempotency-Key": message_id, "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"message_id": message_id, "to": number, "sender": self.sender, "text": body}

        result = SmsResult(False, message_id, "failed", error="not attempted")
        for attempt in range(self.retries + 1):
            try:
                response = requests.post(self.url, json=payload, headers=headers,
                                         timeout=self.timeout)
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
            logger.info("SMS [%s] sent to %s via HTTP (ref %s)", kind, masked(number),
                        result.provider_ref)
        else:
            logger.error("SMS [%s] to %s failed via HTTP: %s", kind, masked(number),
                         result.error)
        try:
            _record(message_id, number, OTP_REDACTED if kind == "otp" else body, kind,
                    self.name, result.status, result.provider_ref, result.error)
        except Exception as exc:
            logger.error("SMS delivery record not written: %s", type(exc).__name__)
        return result


def gateway() -> Gateway:
    """The gateway the environment asks for (read on every call, so tests can switch)."""
    url = os.environ.get("SMS_GATEWAY_URL", "").strip()
    choice = os.environ.get("SMS_GATEWAY", "").strip().lower() or ("http" if url else "outbox")
    if choice == "http":
        if not url:
            logger.error("SMS_GATEWAY=http but SMS_GATEWAY_URL is empty; using the outbox")
            return OutboxGateway()
        return HttpGateway(
            url=url,
            token=os.environ.get("SMS_GATEWAY_TOKEN", ""),
            sender=os.environ.get("SMS_SENDER", "CitizenAcc"),
            timeout=float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5")),
        )
    return OutboxGateway()


def send(to: str, body: str, kind: str = "info") -> SmsResult:
    return gateway().send(to, body, kind)
