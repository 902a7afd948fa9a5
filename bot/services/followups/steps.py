"""The step after one the previous answer gave: "وبعد ما اغير كلمة المرور وش المطلوب؟"
after the registration steps, "after i log in with it?" after the password steps.

The answer listed the steps in order; the message names one of them (by the same light
stems as lines.py) and asks what follows: the rest of that step after its "ثم" (then),
and the steps after it. Its last step has nothing after it in the answer: then what the
topic's own "and then?" answer says (picker, NEXT).
"""

from __future__ import annotations

import re
from typing import List, Optional

from bot.nlu.arabic import normalize
from bot.services.followups.lines import content_words, ranked_line
from bot.services.followups.shapes import AFTER, STEP, Ellipsis, _body

# "وبعد ما ادخل فيها؟", "بعد ما اسوي كذا وش اسوي؟", "after i change it?"; not "وبعدين؟"
# nor "and after that?", which name no step (NEXT).
_AFTER_AR = re.compile(r"^(?:بعد ما|بعدما|بعد م|بعد)\s+(\S.*)$")
_AFTER_EN = re.compile(
    r"^\s*(?:and\s+|so\s+|ok\s+)?(?:what\s+(?:do\s+i\s+do\s+)?)?after\s+(?!that\b|this\b|it\b\s*\??$)"
    r"(?:i\s+|you\s+|we\s+)?(\S.*)$",
    re.IGNORECASE,
)
# "دخلتها وجتني رساله فيها رمز، وبعدين؟", "i logged in with it, then what?": a step told
# done, then "and then?" asked of it.
_TOLD_THEN_AR = re.compile(
    r"^(\S.*?\S)[\s،,.]+(?:طيب\s+)?(?:(?:وش|ويش|ايش|شو)\s+(?:اللي\s+)?)?و?(?:بعدين|بعدها|بعد كذا|بعد هذا)"
    r"(?:\s+(?:وش|ويش|ايش|شو)\s*(?:اسوي|المطلوب|يصير)?)?[\s؟?!.]*$"
)
_TOLD_THEN_EN = re.compile(
    r"^(\S.*?\S)[\s,.;]+(?:and\s+|so\s+|ok\s+)?(?:then\s+what|what\s+next|what\s+now|now\s+what"
    r"|what\s+do\s+i\s+do\s+(?:next|now))[\s?!.]*$",
    re.IGNORECASE,
)
# The step told must name something: "طيب، وبعدين؟" names none.
MIN_TOLD_WORDS = 2
_ASKED = re.compile(r"\s(?:و?(?:وش|ويش|ايش|شو|وين|كيف|متى)|what|where|how|when)\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(\d+)[.)-]\s*(.+)$")
_THEN = re.compile(r"\s(?:ثم|وبعدها|بعدين|then)\s", re.IGNORECASE)
# The steps after the one named that are quoted (the rest is one question away).
MAX_STEPS_AFTER = 2
MIN_TAIL_WORDS = 3


def read_after(text: str) -> Optional[Ellipsis]:
    """AFTER with the words of the step named; None for any other message."""
    if not text or text.lstrip().startswith("/"):
        return None
    body, _ = _body(text)
    body = body[1:] if body.startswith("وبعد") else body
    match = _AFTER_AR.match(body) or _AFTER_EN.match(text)
    if not match:
        return _told_then(text)
    # "بعد ما اغير كلمة المرور ويش المطلوب؟": the step is what comes before the question.
    clause = _ASKED.split(match.group(1), maxsplit=1)[0]
    named = content_words(clause)
    return Ellipsis(AFTER, about=tuple(named)) if named else None


def _told_then(text: str) -> Optional[Ellipsis]:
    folded = normalize(text).strip()
    match = _TOLD_THEN_AR.match(folded) or _TOLD_THEN_EN.match(folded)
    named = content_words(match.group(1)) if match else []
    return Ellipsis(AFTER, about=tuple(named)) if len(named) >= MIN_TOLD_WORDS else None


_ORDINALS = {
    # "اخر زر وش اسمه؟", "the last step": the last (-1).
    "اخر": -1, "الاخير": -1, "الاخيره": -1, "last": -1, "final": -1,
    "اول": 1, "الاول": 1, "الاولى": 1, "الاولي": 1, "first": 1,
    "ثاني": 2, "الثاني": 2, "الثانيه": 2, "second": 2,
    "ثالث": 3, "الثالث": 3, "الثالثه": 3, "third": 3,
    "رابع": 4, "الرابع": 4, "الرابعه": 4, "fourth": 4,
    "خامس": 5, "الخامس": 5, "الخامسه": 5, "fifth": 5,
    "سادس": 6, "السادس": 6, "السادسه": 6, "sixth": 6,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
# "الخطوه الثانيه", "الخطوة رقم ٢", "ثاني خطوه", "step 2", "the second step".
_STEP_AR = re.compile(
    rf"(?:ال)?خطو[هة](?: رقم)? {_NUMBER}\b|(?:^|\s)و?{_NUMBER} (?:خطو[هة]|زر)\b"
    r"|(?:الزر|زر) (?:الاخير|الاخيره)"
)
_STEP_EN = re.compile(
    rf"\bstep (?:no\.? |number )?{_NUMBER}\b|\b{_NUMBER} (?:step|button)\b", re.IGNORECASE
)


def read_step(text: str) -> Optional[Ellipsis]:
    """STEP with the step's number, for a message that names one step by it."""
    if not text or text.lstrip().startswith("/"):
        return None
    folded = normalize(text).lower()
    found = _STEP_AR.search(folded) or _STEP_EN.search(folded)
    if not found:
        return None
    word = next((g for g in found.groups() if g), "اخر")  # "الزر الاخير"
    number = int(word) if word.isdigit() else _ORDINALS[word]
    return Ellipsis(STEP, about=(str(number),))


def nth_step(answer_text: str, number: int) -> Optional[str]:
    """The answer's step `number` (from 1; -1 the last), None when it has no such step."""
    steps = steps_of(answer_text)
    if number == -1 and steps:
        return steps[-1]
    return steps[number - 1] if 1 <= number <= len(steps) else None


def steps_of(answer_text: str) -> List[str]:
    """The numbered steps of an answer, in order, without their numbers."""
    steps = []
    for line in answer_text.split("\n"):
        found = _NUMBERED.match(line)
        if found:
            steps.append(found.group(2).strip())
    return steps


def after_step(answer_text: str, words: List[str]) -> Optional[List[str]]:
    """What follows the step `words` name: the rest of that step after its "then", then
    up to MAX_STEPS_AFTER steps; [] when the step named is the last with nothing after
    it; None when no step is named (or the answer has no steps)."""
    steps = steps_of(answer_text)
    # The later of equal steps: a citizen asks about where they have got to.
    found = ranked_line(
        [_marked(step) for step in steps], [_marked(w) for w in words], last=True, every=True
    )
    if not found:
        return None
    _, _, index = found
    step = steps[index]
    rest = []
    parts = _THEN.split(step, maxsplit=1)
    if len(parts) == 2 and _names(parts[0], words):
        # "ادخل بها ثم غيّرها لكلمة مرور جديدة": what follows "then"; a bare verb
        # ("أدخلها ثم غيّرها") says nothing alone, so the whole step is quoted.
        tail = parts[1].strip()
        rest.append(tail if len(tail.split()) >= MIN_TAIL_WORDS else step)
    return rest + steps[index + 1 : index + 1 + MAX_STEPS_AFTER]


# A noun keeps its article apart from a verb of the same root: "الدخل" (income) is not
# "ادخل" (log in) when a step is looked for (a light stem makes both "دخل").
_NOUN = re.compile(r"(?<!\S)([وفبل]?)(ال)(\S{2,})")


def _marked(text: str) -> str:
    return _NOUN.sub(r"\1\2\3\2", normalize(text))


def _names(part: str, words: List[str]) -> bool:
    """Whether the part of a step before its "then" holds one of `words`' stems (the
    step named is that part, so what comes after "then" follows it)."""
    return ranked_line([part], words) is not None
