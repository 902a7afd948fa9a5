"""A reply to one pre-check question, as the readers get it, and reading yes / no from it.

No Rasa: the action builds a Reply from the tracker (bot/actions/eligibility.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from bot.content import ARABIC
from bot.services.eligibility.form import UNSURE
from bot.services.parsing import is_unsure, parse_yes_no


@dataclass(frozen=True)
class Reply:
    """A reply to one question: its text, the `elig_choice` of a tapped button, the
    intent (with its confidence) the NLU gave the message, and `previous`: the
    citizen's reply just before to the same question when that one was not taken
    ("انا وزوجتي وعيالي", then "كم عدد العيال؟", then "٣"); `lang`: the language the
    conversation is answered in, for the explanation of a reply that is no answer."""

    text: str
    choice: Optional[str] = None
    intent: Optional[str] = None
    confidence: float = 0.0
    previous: Optional[str] = None
    lang: str = ARABIC


# (slot values the reply gives, or None and the explanation in the reply's language)
Reading = Tuple[Optional[Dict[str, Any]], Optional[str]]


def yes_no(reply: Reply, allow_unsure: bool, button: bool = True) -> Optional[Any]:
    """True / False / UNSURE (if allowed) from a button (unless `button` is False),
    the words, or a confident affirm/deny intent."""
    choice = reply.choice if button else None
    if choice in ("yes", "no"):
        return choice == "yes"
    if choice == UNSURE and allow_unsure:
        return UNSURE
    answer = parse_yes_no(reply.text)
    if answer is not None:
        return answer
    if allow_unsure and is_unsure(reply.text):
        return UNSURE
    if reply.intent in ("affirm", "deny") and reply.confidence >= 0.8:
        return reply.intent == "affirm"
    return None
