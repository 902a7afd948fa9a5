"""A follow-up that names its own subject, when that subject is the previous answer's.

"كم ياخذ تغيير الايبان؟" after the IBAN steps, "وين القى دراسة الاهلية؟" after the
status answer, "متى يردون على الاعتراض؟" after the objection steps: a question word
and a few content words. Read on its own, such a message gets whatever answer its
words are nearest to (often the steps again, or "did you mean"); it asks the same
as "كم ياخذ؟" on that topic. read_loose() finds the question's kind and the words
left over; the picker answers it on the topic only when every word left over is one
the previous answer itself used (leans_on), else the message is read on its own.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.nlu.arabic import normalize
from bot.services.followups.shapes import (
    HOW_LONG,
    NEXT,
    WHAT,
    WHERE,
    WHY,
    _body,
    _unglued,
)

# The question, at the start of the message (after its lead), by kind.
_LEADS: List[Tuple[str, "re.Pattern[str]"]] = [
    (
        HOW_LONG,
        re.compile(r"(?:كم|قد وش|قديش) (?:ياخذ|تاخذ|يطول|تطول|يستغرق|تستغرق|مده|المده|وقت)"),
    ),
    (
        HOW_LONG,
        re.compile(r"(?:متي|بعد كم|خلال كم) (?:يردون|يرد|يطلع|تطلع|ينزل|تنزل|يوصل|توصل|يصير|يتم)"),
    ),
    (
        WHERE,
        re.compile(
            r"(?:من )?وين (?:(?:اقدر|ممكن|بقدر|اقدر اني) )?(?:القي|الاقي|القاها|القاه|احصل|اشوف|اروح|ادخل|اتابع|اتابعه|اتابعها"
            r"|اراجع|اسال عن)"
        ),
    ),
    (WHAT, re.compile(r"(?:وش )?(?:احتاج|يبون|يطلبون|المطلوب)")),
    (NEXT, re.compile(r"(?:وش اسوي|وش يصير|وش الخطوه) (?:بعد|بعدين|بعدها)")),
    (WHY, re.compile(r"ليش (?:يطلبون|يبون|لازم|يبغون|يحتاجون)")),
]
# Words that say nothing of a subject.
_STOP = set(
    "في من على علي عن الي اللي هل يعني طيب لو اذا ان انا لي عشان حق تبع مع هذا هذي كذا بالضبط"
    " تقريبا عاده بس كمان بعد الحين وش".split()
)
MAX_WORDS = 3
_PREFIX = re.compile(r"^(?:وال|بال|لل|ال|و|ب|ل)(?=\S{3})")


def read_loose(text: str) -> Optional[Tuple[str, List[str]]]:
    """(kind, the content words left over) for a question that names a subject in at
    most MAX_WORDS words, else None."""
    if not text or text.lstrip().startswith("/"):
        return None
    body, _ = _body(text)
    for candidate in (body, _unglued(body)):
        if not candidate:
            continue
        for kind, lead in _LEADS:
            match = lead.match(candidate)
            if not match:
                continue
            rest = [w for w in candidate[match.end() :].split() if w not in _STOP]
            if 1 <= len(rest) <= MAX_WORDS:
                return kind, rest
    return None


def _stem(word: str) -> str:
    return _PREFIX.sub("", word)


def leans_on(words: List[str], answer_text: str) -> bool:
    """Whether every word (without its article or a glued preposition) is one the
    previous answer used."""
    said = {_stem(w) for w in normalize(answer_text).split()}
    stems = [_stem(w) for w in words]
    return bool(stems) and all(
        s in said or any(len(s) >= 4 and s in t for t in said) for s in stems
    )
