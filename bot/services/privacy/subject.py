"""Who an erasure request is about (bot.services.privacy.erasure): exactly one national ID,
mobile or conversation id, normalised, and how it is shown (masked) in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.masking import mask, mask_id, mask_mobile
from bot.services.verification.validators import only_digits, parse_mobile


@dataclass(frozen=True)
class Subject:
    kind: str  # "national_id", "mobile" or "conversation"
    value: str  # canonical: 10 digits, 05xxxxxxxx, or the conversation id

    @property
    def masked(self) -> str:
        if self.kind == "national_id":
            return mask_id(self.value)
        if self.kind == "mobile":
            return mask_mobile(self.value)
        return masked_conversation(self.value)


def masked_conversation(conversation_id: str) -> str:
    channel, sep, rest = conversation_id.partition(":")
    return f"{channel}:{mask(rest, 1, 2)}" if sep else mask(conversation_id, 1, 2)


def subject(
    national_id: Optional[str] = None,
    mobile: Optional[str] = None,
    conversation_id: Optional[str] = None,
) -> Subject:
    """Exactly one of the three, normalised (ValueError otherwise). The ID's check digit is
    not required: an erasure request is not refused over a typo the bot would have caught."""
    given = [
        (k, v)
        for k, v in (
            ("national_id", national_id),
            ("mobile", mobile),
            ("conversation", conversation_id),
        )
        if v not in (None, "")
    ]
    if len(given) != 1:
        raise ValueError("give exactly one of national ID, mobile or conversation id")
    kind, value = given[0]
    if kind == "national_id":
        digits = only_digits(value)
        if len(digits) != 10 or digits[0] not in "12":
            raise ValueError(
                "a national ID or residence number has 10 digits and starts with 1 or 2"
            )
        return Subject(kind, digits)
    if kind == "mobile":
        parsed = parse_mobile(value)
        if not parsed.ok:
            raise ValueError("not a Saudi mobile number")
        return Subject(kind, parsed.value)
    return Subject(kind, value.strip())
