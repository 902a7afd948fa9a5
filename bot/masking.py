"""Masking of personal numbers for logs and for anyone but their owner.

`1•••••••89` style: enough for a person to recognise their own number, not
enough to use it. Also a log filter that masks any ID, mobile or IBAN that slips
into a log message.

Pure functions with no dependency on the store, the services or Rasa, so that every
layer (the store's transcripts, the services, the channels, the back office, the Rasa
server's logging) masks the same way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re

from bot import settings
from bot.nlu.arabic import to_ascii_digits

MASK = "•"
# Without LOG_ID_SALT each process draws its own salt: references still match within one
# log, and nobody can rebuild them from a list of candidate numbers.
_LOG_SALT = settings.get().log_id_salt or os.urandom(8).hex()
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


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call must not break the caller
        return
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, ()
    # Formatters render exc_info after every filter has run: render it here, masked.
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


class MaskingFilter(logging.Filter):
    """Attach to a handler so personal numbers never reach log files."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def install_log_masking(logger: logging.Logger = None) -> None:
    """Mask personal numbers in every record handled by the root logger's handlers.

    Rasa (coloredlogs) and Sanic attach their handlers only once they start, after this
    runs in channels/server.py, so a filter on today's handlers alone would miss them:
    records are also masked as they are made (the log record factory, which Sanic's
    forked workers inherit)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "masks_personal_numbers", False):
        return

    def masking_record_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _mask_record(record)
        return record

    masking_record_factory.masks_personal_numbers = True
    logging.setLogRecordFactory(masking_record_factory)


def log_ref(value: str) -> str:
    """A salted hash of an identifier for logs: the same value gives the same reference
    (repeated abuse shows), and the reference does not give the value back."""
    return hashlib.sha256((_LOG_SALT + value).encode()).hexdigest()[:10]
