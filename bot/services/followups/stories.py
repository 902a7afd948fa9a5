"""A long message whose question at the end leans on the story before it.

"قدمت اعتراض على الدفعة ... وارفقت كشف الراتب وصك الطلاق. كم ياخذ؟", "فتحت بلاغ في صوتك
مسموع ... وصار لي اسبوعين. وين اتابعه؟": read whole, the side details (a salary, a
divorce, the children's ages) pull the answer away from the question; read alone, the
last sentence is an elliptical follow-up with nothing to lean on. Its topic is the
subject the story names first (followups.yml `subjects`: the objection, «صوتك مسموع»,
the IBAN, the documents...), and the question is answered on it like a follow-up.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.content import followup_content
from bot.services.followups.loose import read_loose
from bot.services.followups.shapes import ASKING, NEXT, Ellipsis, read, words

# A story: at least this many words, in more than one sentence.
STORY_WORDS = 14
_SENTENCES = re.compile(r"[.!؟?\n،,;؛]+")
STORY_KINDS = ASKING - {NEXT}
_PREFIX = re.compile(r"^(?:وال|بال|فال|لل|ال|و|ب|ف)(?=\S{3})")


def _stems(text: str) -> List[str]:
    return [_PREFIX.sub("", w) for w in words(text)]


def _last_question(text: str) -> Optional[Tuple[str, str]]:
    """(the story, its last sentence) when the message is a story, else None."""
    parts = [p for p in _SENTENCES.split(text or "") if p.strip(" ؟?")]
    if len(parts) < 2 or len((text or "").split()) < STORY_WORDS:
        return None
    return " ".join(parts[:-1]), parts[-1]


def story_subject(story: str) -> Optional[str]:
    """The FAQ of the subject the story names first (followups.yml `subjects`)."""
    stems = _stems(story)
    told = " " + " ".join(stems) + " "
    first: Optional[Tuple[int, str]] = None
    for spec in (followup_content().get("subjects") or {}).values():
        for phrase in spec.get("words") or []:
            at = told.find(" " + " ".join(_stems(phrase)) + " ")
            if at >= 0 and (first is None or at < first[0]):
                first = (at, spec.get("faq"))
    return first[1] if first else None


def read_story(text: str) -> Optional[Tuple[Ellipsis, str]]:
    """(what the story's last question asks, the story's topic), when the last sentence
    is an elliptical question and the story names a subject; else None."""
    split = _last_question(text)
    if not split:
        return None
    story, question = split
    ellipsis = read(question)
    if ellipsis is None:
        loose = read_loose(question)
        ellipsis = Ellipsis(loose[0], about=tuple(loose[1])) if loose else None
    # "وش اسوي الحين؟" after a story is most often about the trouble it tells, which
    # the whole message is read for, not the procedure's next step.
    if ellipsis is None or ellipsis.kind not in STORY_KINDS:
        return None
    topic = story_subject(story)
    return (ellipsis, topic) if topic else None
