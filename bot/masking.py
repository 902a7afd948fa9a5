"""Masking of personal numbers for logs and for anyone but their owner.

`1•••••••89` style: enough for a person to recognise their own number, not
enough to use it. Also a log filter that masks any ID, mobile or IBAN that slips
into a log message.

`mask_text` also hides secrets a citizen may type: a one-time code named as one ("الرمز
482913", "code: 4829") and whatever follows "كلمة المرور" / "password". A bare code
("482913") looks like any number; the channels' pipeline masks it with `mask_codes`
while the conversation is waiting for a code (channels/pipeline.py).

`mask_text` finds numbers the way the parsers (bot/services/verification/validators.py)
read them, and more: any decimal digits (Arabic-Indic, Persian, full-width), groups split
by spaces, dashes, dots, slashes or invisible characters, a number glued to letters
("ID1012345672", "هويتي1012345672"), a country code (+966, 00966, 966). Each run of
digit groups is tried as whole groups joined, at most 15 digits at a time, so two numbers
written side by side are both found and a long run costs little.

Pure functions with no dependency on the store, the services or Rasa, so that every
layer (the store's transcripts, the services, the channels, the back office, the Rasa
server's logging) masks the same way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from typing import List, Tuple
from urllib.parse import unquote_plus

from bot import settings
from bot.cleantext import INVISIBLE
from bot.nlu.arabic import to_ascii_digits

MASK = "•"
ACCESS_LOGGER = "sanic.access"
# Without LOG_ID_SALT each process draws its own salt: references still match within one
# log, and nobody can rebuild them from a list of candidate numbers.
_LOG_SALT = settings.get().log_id_salt or os.urandom(8).hex()
# What people put inside a number: spaces of every width, dashes and minus signs, dots,
# slashes, brackets, Arabic decimal/thousands marks, and invisible characters.
_SEP = rf"[\s\-./_()\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u066b\u066c{INVISIBLE}]"
# A run of digit groups, with the "+" (or full-width "＋") of a country code.
_RUN = re.compile(rf"(?:[+\uff0b]{_SEP}*)?\d(?:{_SEP}*\d)*")
_GROUP = re.compile(r"\d+")
# Saudi IBAN: SA, two check digits, 20 more (letters allowed when exactly 20 follow).
_IBAN = re.compile(
    rf"[Ss\uff33\uff53][Aa\uff21\uff41]{_SEP}*\d{_SEP}*\d"
    rf"(?:(?:{_SEP}*[0-9A-Za-z]){{20}}(?![0-9A-Za-z])|(?:{_SEP}*\d){{16,26}})"
)
_ANY_DIGIT = re.compile(r"\d")
# A one-time code: the SMS codes are 6 digits; 4 to 8 covers other services' and typos.
_CODE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")
# "الرمز 482913", "رمز التحقق هو: 482913", "كود 4829", "code 482913", "OTP:482913".
_NAMED_CODE = re.compile(
    r"(?:\b(?:code|otp|pin)|(?<![\w])(?:ال)?(?:رمز|كود)(?:ي)?)"
    r"((?:[\s:：=\-]+[^\s\d:：=]{1,12}){0,3}[\s:：=\-]*)(\d{4,8})(?!\d)",
    re.IGNORECASE,
)
# "كلمة المرور: Abc12345", "الباسورد حقي abc", "password is hunter2": the next word;
# without a colon only a word with a digit or a Latin letter ("كلمة المرور نسيتها",
# "كلمة المرور حقتي خربانة" hold no password).
_NAMED_SECRET = re.compile(
    r"((?:كلمة|كلمه)\s+(?:ال)?(?:مرور|سر)\S*|(?:ال)?باسو?ورد\S*|\bpass(?:word|code)?\b)"
    r"((?:\s+(?:حقي|حقتي|هي|هو|is))?\s*[:：=]\s*"
    r"|\s+(?:(?:حقي|حقتي|هي|هو|is)\s+)?(?=\S*[0-9A-Za-z]))(\S{3,})",
    re.IGNORECASE,
)
_LONGEST = 15  # 00966 05xxxxxxxx, the longest way a mobile is written
_FIRST_DIGITS = "01259"  # how an ID (1, 2) or a mobile (05, 5, 966, 00966) starts


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(d)) for d in digits)


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _mobile(digits: str, plus: bool) -> bool:
    """Would bot.services.verification.validators.parse_mobile take these digits?"""
    for code in ("00966", "966"):
        if digits.startswith(code):
            rest = digits[len(code) :]
            return (len(rest) == 9 and rest[0] == "5") or (len(rest) == 10 and rest[:2] == "05")
    if plus:
        return False
    return (len(digits) == 10 and digits[:2] == "05") or (len(digits) == 9 and digits[0] == "5")


def _national_id(digits: str, parts: int, year_first: bool) -> bool:
    """10 digits from 1 or 2. Split into groups, a date and hour ("2026-11-10 09") has the
    same shape: it counts only when its check digit holds, as the parser requires."""
    if len(digits) != 10 or digits[0] not in "12":
        return False
    return parts == 1 or not year_first or _luhn(digits)


def _compact(text: str) -> str:
    out = []
    for c in text:
        if c.isdecimal():
            out.append(str(unicodedata.decimal(c)))
        elif c in "+\uff0b":
            out.append("+")
        elif c.isalnum():
            out.append(unicodedata.normalize("NFKC", c).upper())
    return "".join(out)


def _mask_iban(match: re.Match) -> str:
    compact = _compact(match.group())
    # Letters are allowed in an IBAN's last 20 characters, and so are the spaces between
    # groups: prose that starts with "sa" ("Rasa 3.6.22 is not …") would match too. With a
    # letter in it, only a checksum that holds makes it an IBAN.
    if not compact[2:].isdigit() and not _iban_checksum(compact.upper()):
        return match.group()
    return mask(compact, 2, 2)


def _iban_checksum(iban: str) -> bool:
    """ISO 7064 mod 97, as the validators check it."""
    try:
        return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1
    except ValueError:
        return False


def _mask_run(match: re.Match) -> str:
    run = match.group()
    if len(run) < 9:  # most runs: a count, an amount, a time
        return run
    plus = not run[0].isdigit()
    groups = [(g.start(), g.end(), _ascii(g.group())) for g in _GROUP.finditer(run)]
    spans: List[Tuple[int, int]] = []
    for i, (first_start, _end, first) in enumerate(groups):
        if first[0] not in _FIRST_DIGITS:
            continue
        joined, year_first = "", len(first) == 4
        for j in range(i, len(groups)):
            part = groups[j][2]
            joined += part
            if j > i and len(part) > 2:
                year_first = False
            if len(joined) > _LONGEST:
                break
            if len(joined) < 9:
                continue
            if _national_id(joined, j - i + 1, year_first) or _mobile(joined, plus and i == 0):
                spans.append((0 if plus and i == 0 else first_start, groups[j][1]))
    if not spans:
        return run
    out, done = [], 0
    for start, end in _merged(spans):
        out.append(run[done:start])
        out.append(mask(_compact(run[start:end]), 2, 2))
        done = end
    out.append(run[done:])
    return "".join(out)


def _merged(spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


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
    """Mask every ID, mobile or IBAN found inside free text, and any secret named as one
    (a code after "الرمز", a password after "كلمة المرور"). Digits elsewhere are kept,
    Arabic-Indic ones as ASCII."""
    text = text or ""
    if _NAMED_SECRET.search(text):
        text = _NAMED_SECRET.sub(lambda m: m.group(1) + m.group(2) + MASK * len(m.group(3)), text)
    if not _ANY_DIGIT.search(text):
        return text
    text = _RUN.sub(_mask_run, _IBAN.sub(_mask_iban, to_ascii_digits(text)))
    return _NAMED_CODE.sub(lambda m: m.group(0)[: -len(m.group(2))] + MASK * len(m.group(2)), text)


def mask_codes(text: str) -> str:
    """`mask_text`, and every run of 4 to 8 digits hidden whole: for a message written
    while a one-time code is expected, where a bare number is the code."""
    return _CODE.sub(lambda m: MASK * len(m.group()), mask_text(text))


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
    # Sanic's access log carries the URL, query string included, beside the message.
    request = record.__dict__.get("request")
    if isinstance(request, str) and _ANY_DIGIT.search(request):
        readable = unquote_plus(request)
        if mask_text(readable) != to_ascii_digits(readable):
            record.request = mask_text(readable)


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
    # The access log's URL is added after the record factory ran (logging's `extra`): a
    # filter on the logger itself sees it, whatever handlers Sanic gives it later.
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskingFilter) for f in access.filters):
        access.addFilter(MaskingFilter())
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
