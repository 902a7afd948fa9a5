"""Masking of personal numbers for logs and for anyone but their owner.

`1•••••••89` style: enough for a person to recognise their own number, not
enough to use it. Also a log filter that masks any ID, mobile or IBAN that slips
into a log message.
"""
from __future__ import annotations

import logging
import re

from bot.nlu.arabic import to_ascii_digits

MASK = "•"
# 10-digit IDs (1/2...), Saudi mobiles (05..., 9665..., +9665...), IBANs (SA + 22 digits).
_SENSITIVE = re.compile(r"(?:SA\d{2}[\d ]{18,26}|\+?9665\d{8}|05\d{8}|\b[12]\d{9}\b)", re.I)


def mask(value: str, keep_start: int = 1, keep_end: int = 2) -> str:
    value = to_ascii_digits(str(value or "")).replace(" ", "")
    if len(value) <= keep_start + keep_end:
        return MASK * len(value)
    return value[:keep_start] + MASK * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id(national_id: str) -> str:
    return mask(national_id, 1, 2)


def mask_mobile(mobile: str) -> str:
    return mask(mobile, 2, 2)


def mask_text(text: str) -> str:
    """Mask every ID, mobile or IBAN found inside free text."""
    return _SENSITIVE.sub(lambda m: mask(m.group(), 2, 2), to_ascii_digits(text or ""))


class MaskingFilter(logging.Filter):
    """Attach to a handler so personal numbers never reach log files."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break the caller
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_masking(logger: logging.Logger = None) -> None:
    """Mask personal numbers in every log record of this process: the message with its
    args, the exception text and the stack. Idempotent.

    A filter on the root logger's handlers alone is not enough: a process that has not
    configured logging has none (Python's last-resort handler prints anyway), and Rasa,
    Sanic and coloredlogs replace or add handlers after start. So each record is also
    masked where it is made, by the record factory, before any handler or formatter sees
    it; the exception is rendered to text there, because formatters render `exc_info`
    after every filter has run."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())

    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "masks_personal_numbers", False):
        return

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break the caller
            return record
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return record

    masked_record.masks_personal_numbers = True
    logging.setLogRecordFactory(masked_record)
