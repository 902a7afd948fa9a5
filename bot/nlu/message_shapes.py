"""What a message is made of, beyond its words: a courtesy around the question, two
questions in one message, an age stated in it.

Citizens often open with a greeting or a thanks and ask in the same message
("السلام عليكم، كيف اغير الايبان"). Character n-grams of the greeting then pull the
whole message towards small talk, so the classifiers also look at the message with
the courtesy taken off (strip_courtesy). Two questions in one message are split at
question marks, new lines and a comma before a question word (question_segments), so
each can be answered. Everything here works on the NLU lemma text (normalised,
dialect-folded: bot.nlu.arabic, bot.nlu.dialect), never on what the citizen sees.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.arabic import to_ascii_digits

# Greetings, thanks and fillers that carry no question, in lemma form (ة → ه, أ → ا):
# the common greeting and thanks formulas, and the fillers the training data writes. A
# phrase that a test message writes is here only if the training data writes it too
# (tests/unit/test_heldout_separation.py).
_GREETING = (
    r"(?:و?عليكم )?(?:ال)?سلام(?: عليكم)?(?: ورحمه الله)?(?: وبركاته)?"
    r"|(?:يا )?هلا(?: والله| وغلا| بك| فيك)?|مرحبا(?:تين)?(?: بك| بكم)?"
    r"|اهلين|اهلا(?: وسهلا)?|هاي|هلو|hi|hello|hey|salam"
    r"|صباح (?:الخير|النور|الورد)|مساء? (?:الخير|النور)|(?:صبحك|مساك) الله بالخير"
)
_THANKS = (
    r"شكرا(?: جزيلا| لك| لكم)?(?: مقدما)?|مشكور(?:ين)?(?: علي الرد)?"
    r"|(?:الله )?يعطيك(?: الف)? العافيه|تسلم|جزاك الله خير"
    r"|ما قصرت|thanks?(?: you)?"
)
_FILLER = r"اخوي|يا اخوان|يا طيب|يا بوت|كيف الحال|كيف حالك|لو سمحت|من فضلك|طيب"
_COURTESY = rf"(?:{_GREETING}|{_THANKS}|{_FILLER})"
_LEADING = re.compile(rf"^(?:{_COURTESY}(?:\s+|$))+(?:و\s+)?")
_TRAILING = re.compile(rf"\s*(?:\s+و?(?:{_THANKS}|الله يحفظك|الله يسعدك))+\s*$")

# Where one question ends and the next begins in the raw text: a question mark, a
# new line, or a comma before a question word.
_QUESTION_BREAK = re.compile(
    r"[؟?\n]+|[،,]\s*(?=و?(?:كيف|وش|ايش|كم|متى|متي|هل|ليش|وين|ابي|ابغى|ابغي)\b)"
)
_AGE = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
# "under 18" is a minor's age and "over 18" an adult's: the bound is not the age itself.
_BELOW = re.compile(
    r"(?:تحت|[اأإ]قل من|[اأ]صغر من|دون|ما وصل|ماوصل|ما بلغ|مابلغ|ما كمل|under|below|"
    r"less than|younger than)\s*(?:(?:ال)?(?:عمر|سن)\s*|the age of\s*|age\s*)?(\d{1,3})(?![\d.])",
    re.IGNORECASE,
)
_ABOVE = re.compile(
    r"(?:فوق|[اأ]كثر من|[اأ]كبر من|over|above|older than|more than)\s*"
    r"(?:(?:ال)?(?:عمر|سن)\s*|the age of\s*|age\s*)?(\d{1,3})(?![\d.])",
    re.IGNORECASE,
)


def strip_courtesy(lemma_text: str) -> str:
    """The lemma text without a leading greeting/thanks/filler or a trailing thanks.
    Returns "" when nothing but courtesy is left."""
    text = _LEADING.sub("", lemma_text, count=1)
    text = _TRAILING.sub("", text, count=1)
    return text.strip()


def question_segments(message: Message, lemma_of) -> List[str]:
    """The lemma text of each question in a message with more than one (else [])."""
    raw = message.get(TEXT) or ""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if not tokens or not _QUESTION_BREAK.search(raw):
        return []
    breaks = [m.start() for m in _QUESTION_BREAK.finditer(raw)]
    segments: List[List[str]] = [[]]
    boundary = 0
    for token in tokens:
        while boundary < len(breaks) and token.start >= breaks[boundary]:
            boundary += 1
            segments.append([])
        segments[-1].append(token.lemma)
    texts = [strip_courtesy(lemma_of(" ".join(words))) for words in segments if words]
    texts = [t for t in texts if len(t.split()) >= 2]
    return texts if len(texts) > 1 else []


# A story told before the question ("انا ارملة وعندي ثلاث عيال وزوجي كان هو المسجل.
# كيف احدث البيانات؟"): past this many words, the last sentence is also read alone.
STORY_WORDS = 14
_SENTENCE_END = re.compile(r"[.!؟?\n،,;؛]+")


def story_question(message: Message, lemma_of) -> str:
    """The lemma text of a long message's last sentence that is a question (ends with
    a question mark, else the last sentence), or "" when the message is short, one
    sentence, or ends in courtesy only."""
    raw = message.get(TEXT) or ""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if len(tokens) < STORY_WORDS or not _SENTENCE_END.search(raw.rstrip(" .!؟?\n")):
        return ""
    ends = [m for m in _SENTENCE_END.finditer(raw)]
    sentences: List[Tuple[List[str], bool]] = [([], False)]
    boundary = 0
    for token in tokens:
        while boundary < len(ends) and token.start >= ends[boundary].start():
            asked = "?" in ends[boundary].group() or "؟" in ends[boundary].group()
            sentences[-1] = (sentences[-1][0], asked)
            boundary += 1
            sentences.append(([], False))
        sentences[-1][0].append(token.lemma)
    if boundary < len(ends):
        tail = ends[boundary].group()
        sentences[-1] = (sentences[-1][0], "?" in tail or "؟" in tail)
    sentences = [(words, asked) for words, asked in sentences if len(words) >= 2]
    if len(sentences) < 2:
        return ""
    questions = [words for words, asked in sentences if asked]
    last = questions[-1] if questions else sentences[-1][0]
    return strip_courtesy(lemma_of(" ".join(last)))


def stated_age(text: str, low: int = 0, high: int = 120) -> Optional[int]:
    """The one plausible age written in digits in the text (Arabic-Indic too), if any.
    An age given as a bound ("تحت ١٨", "over 18") reads as the nearest age inside it."""
    text = to_ascii_digits(text)
    text = _BELOW.sub(lambda m: f" {max(int(m.group(1)) - 1, 0)} ", text)
    text = _ABOVE.sub(lambda m: f" {int(m.group(1)) + 1} ", text)
    ages = {int(m) for m in _AGE.findall(text)}
    ages = {age for age in ages if low <= age <= high}
    return ages.pop() if len(ages) == 1 else None
