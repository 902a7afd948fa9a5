"""Validation and normalisation of the numbers citizens type: national ID /
residence number, Saudi mobile, IBAN, and the assistant's own reference numbers
(ticket and objection numbers, one-time codes).

Citizens type these with Arabic-Indic digits (٠١٢٣), spaces or dashes inside
(055 123 4567), a country code (+966 / 00966 / 966) or a sentence around them
("رقم هويتي ١٠٢٣..."). Every parser here accepts all of that and returns the
canonical form, or an error code the dialogue turns into a clear Arabic message.
Plain functions, no Rasa: unit tested in tests/unit/test_validators.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Optional

from bot.nlu.arabic import to_ascii_digits

# Error codes (the actions map them to Arabic messages).
EMPTY = "empty"  # no digits at all
LENGTH = "length"  # wrong number of digits
PREFIX = "prefix"  # ID not starting with 1/2, mobile not 05 / +9665
CHECKSUM = "checksum"  # check digit does not match
FORMAT = "format"  # anything else (letters in an IBAN, ...)

TICKET_NUMBER_LENGTH = 8
OBJECTION_NUMBER_LENGTH = 9
OTP_LENGTH = 6


@dataclass(frozen=True)
class Parsed:
    """Outcome of parsing: `value` (canonical) when ok, else an `error` code."""

    value: Optional[str] = None
    error: Optional[str] = None
    digits: int = 0  # how many digits the best candidate had (for "you typed 9 digits")

    @property
    def ok(self) -> bool:
        return self.value is not None


# --------------------------------------------------------------------------- helpers

_SEPARATED_RUN = re.compile(r"\+?\d(?:[ \t\-\.\u00a0]*\d)*")
_SEPARATORS = re.compile(r"[ \t\-\.\u00a0]+")


def digit_candidates(text: str) -> List[str]:
    """Every number the text could contain, most literal first.

    "055 123 4567" gives ["055", "123", "4567", "055123", ..., "0551234567"]: each
    group alone and every run of adjacent groups joined, because people both split
    one number with spaces and write two numbers side by side.
    """
    text = to_ascii_digits(text or "")
    out: List[str] = []
    for run in _SEPARATED_RUN.findall(text):
        parts = [p for p in _SEPARATORS.split(run) if p]
        for size in range(1, len(parts) + 1):
            for start in range(0, len(parts) - size + 1):
                joined = "".join(parts[start : start + size])
                # A "+" only makes sense at the very start of a number.
                if "+" in joined[1:]:
                    continue
                if joined not in out:
                    out.append(joined)
    return out


def only_digits(text: str) -> str:
    return re.sub(r"\D", "", to_ascii_digits(text or ""))


def luhn_valid(number: str) -> bool:
    """Luhn (mod 10) check over a string of digits."""
    if not number or not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check."""
    for d in "0123456789":
        if luhn_valid(partial + d):
            return d
    raise ValueError(partial)  # unreachable for digit strings


def _best(candidates: Iterable[str], length: int) -> Optional[str]:
    return next((c for c in candidates if len(c) == length and c.isdigit()), None)


def _longest_digits(text: str) -> int:
    cands = [c.lstrip("+") for c in digit_candidates(text)]
    return max((len(c) for c in cands), default=0)


# --------------------------------------------------------------------------- national ID


def national_id_valid(number: str) -> bool:
    """Saudi national ID (starts with 1) or residence number / iqama (starts with 2):
    10 digits, the last a Luhn check digit (the algorithm the NIC uses)."""
    return (
        isinstance(number, str)
        and len(number) == 10
        and number.isdigit()
        and number[0] in "12"
        and luhn_valid(number)
    )


def parse_national_id(text: str) -> Parsed:
    cands = [c for c in digit_candidates(text) if c.isdigit()]
    if not cands:
        return Parsed(error=EMPTY)
    ten = [c for c in cands if len(c) == 10]
    for c in ten:
        if national_id_valid(c):
            return Parsed(value=c, digits=10)
    if ten:
        c = ten[0]
        return Parsed(error=PREFIX if c[0] not in "12" else CHECKSUM, digits=10)
    return Parsed(error=LENGTH, digits=_longest_digits(text))


# --------------------------------------------------------------------------- mobile


def parse_mobile(text: str) -> Parsed:
    """Saudi mobile to the canonical 05xxxxxxxx.

    Accepts 05xxxxxxxx, 5xxxxxxxx, 9665xxxxxxxx, +9665xxxxxxxx, 009665xxxxxxxx,
    with spaces/dashes and Arabic-Indic digits.
    """
    cands = digit_candidates(text)
    if not any(c.strip("+") for c in cands):
        return Parsed(error=EMPTY)
    for c in cands:
        local = _mobile_local(c)
        if local:
            return Parsed(value=local, digits=10)
    # Nothing valid: explain the most likely mistake using the longest number.
    longest = max(cands, key=lambda c: len(c.lstrip("+")))
    digits = longest.lstrip("+")
    national = _strip_country_code(digits)
    if national is not None:
        digits = "0" + national
    if len(digits) == 10 and not digits.startswith("05"):
        return Parsed(error=PREFIX, digits=10)
    if len(digits) != 10:
        return Parsed(error=LENGTH, digits=len(digits))
    return Parsed(error=FORMAT, digits=len(digits))


def _strip_country_code(digits: str) -> Optional[str]:
    for cc in ("00966", "966"):
        if digits.startswith(cc):
            return digits[len(cc) :]
    return None


def _mobile_local(candidate: str) -> Optional[str]:
    digits = candidate.lstrip("+")
    national = _strip_country_code(digits)
    if national is not None:
        if len(national) == 9 and national.startswith("5"):
            return "0" + national
        if len(national) == 10 and national.startswith("05"):  # +966 05... (common typo)
            return national
        return None
    if candidate.startswith("+"):
        return None
    if len(digits) == 10 and digits.startswith("05"):
        return digits
    if len(digits) == 9 and digits.startswith("5"):
        return "0" + digits
    return None


def mobile_valid(number: str) -> bool:
    return isinstance(number, str) and bool(re.fullmatch(r"05\d{8}", number))


def mobile_e164(local: str) -> str:
    """05xxxxxxxx -> +9665xxxxxxxx (what SMS gateways want)."""
    if not mobile_valid(local):
        raise ValueError("not a canonical Saudi mobile")
    return "+966" + local[1:]


# --------------------------------------------------------------------------- IBAN


def parse_iban(text: str) -> Parsed:
    """Saudi IBAN: SA + 2 check digits + 20 alphanumerics (24 characters), ISO 7064 mod 97."""
    raw = to_ascii_digits(text or "").upper()
    compact = re.sub(r"[\s\-]", "", raw)
    match = re.search(r"SA[0-9A-Z]+", compact)
    if not match:
        return Parsed(error=EMPTY if not re.search(r"\d", compact) else PREFIX)
    iban = match.group()
    if len(iban) != 24:
        return Parsed(error=LENGTH, digits=len(iban))
    if not iban[2:4].isdigit():
        return Parsed(error=FORMAT, digits=24)
    if not iban_checksum_valid(iban):
        return Parsed(error=CHECKSUM, digits=24)
    return Parsed(value=iban, digits=24)


def iban_checksum_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


# --------------------------------------------------------------------------- reference numbers


def _parse_reference(text: str, length: int) -> Parsed:
    cands = [c for c in digit_candidates(text) if c.isdigit()]
    if not cands:
        return Parsed(error=EMPTY)
    exact = [c for c in cands if len(c) == length]
    for c in exact:
        if luhn_valid(c) and c[0] != "0":
            return Parsed(value=c, digits=length)
    if exact:
        return Parsed(error=CHECKSUM, digits=length)
    return Parsed(error=LENGTH, digits=_longest_digits(text))


def parse_ticket_number(text: str) -> Parsed:
    """Ticket numbers: 8 digits, the last a Luhn check digit (catches typos)."""
    return _parse_reference(text, TICKET_NUMBER_LENGTH)


def parse_objection_number(text: str) -> Parsed:
    """Objection numbers: 9 digits, the last a Luhn check digit."""
    return _parse_reference(text, OBJECTION_NUMBER_LENGTH)


def parse_otp(text: str) -> Parsed:
    cands = [c for c in digit_candidates(text) if c.isdigit()]
    if not cands:
        return Parsed(error=EMPTY)
    code = _best(cands, OTP_LENGTH)
    if code:
        return Parsed(value=code, digits=OTP_LENGTH)
    return Parsed(error=LENGTH, digits=_longest_digits(text))
