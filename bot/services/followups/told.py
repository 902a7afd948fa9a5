"""A group told with an eligibility question in one message: "انا موظف حكومي، اقدر
اسجل؟", "متقاعد وعندي عيال، يحق لي؟", "im a government employee, can i still register?".

Read on its own such a message gets whatever FAQ its other words lean to (the single
person's, the conditions); the answer written for that group (followups.yml
`eligibility.who.<group>`) is what was asked. Groups a situation answer already speaks to
(bot/nlu/situations.py: a widow, a foreign wife, ...) and those that only say whose family
it is (a wife, a child) are left to the NLU.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.nlu.arabizi import to_arabic
from bot.services.followups.english import english_groups_told, normalise
from bot.services.followups.groups import groups_told
from bot.services.followups.shapes import WHO, Ellipsis, words

# Groups whose eligibility answer is the point of the message when one is told.
TOLD_GROUPS = (
    "employee",
    "retired",
    "student",
    "scholarship",
    "unemployed",
    "disabled",
    "social_security",
    "prison",
    "traveller",
    "foreigner",
    "single",
)
# Longer messages are stories (bot/services/followups/stories.py).
MAX_WORDS = 20
_ASKS = re.compile(
    r"(?:^| )(?:(?:اقدر|نقدر|يقدر|تقدر|يمديني|ممكن|يحق لي|يحق له|يحق لها) (?:اسجل|نسجل|يسجل|تسجل"
    r"|استفيد|نستفيد|يستفيد|تستفيد|اقدم|اشترك)|يحق لي|استحق|مستحق|مستحقه|مؤهل|مؤهله|اتاهل"
    r"|يشملني|تشملني|ينطبق علي|تنطبق علي|استفيد|يستفيد|تستفيد)(?: |$)"
)
_ASKS_EN = re.compile(
    r"\b(?:can (?:i|we|he|she)(?: still)? (?:register|apply|get|benefit|qualify|sign up|join)"
    r"|am i eligible|is (?:he|she) eligible|eligible|qualify|entitled)\b"
)


def read_told(text: str) -> Optional[Ellipsis]:
    """WHO with the one group told, for a short message that also asks whether one can
    register or benefit; None otherwise."""
    if not text or len(text.split()) > MAX_WORDS:
        return None
    # Arabizi is read through its Arabic spelling, as the NLU reads it.
    body = " ".join(words(to_arabic(text)))
    if _ASKS.search(body):
        told = groups_told(body)
    elif _ASKS_EN.search(normalise(text)):
        told = english_groups_told(normalise(text))
    else:
        return None
    told = [g for g in told if g in TOLD_GROUPS]
    return Ellipsis(WHO, group=told[0]) if len(told) == 1 else None
