"""A question about time ("كم ياخذ وقت لين يدرسون طلبي؟", "متى يبان التحديث؟", "how
long until the new IBAN is used?") whose nearest answer gives no time at all.

The NLU finds the answer nearest to the question's words (the study of eligibility, the
IBAN steps), and that answer is right about everything but what was asked. Where the
answer holds no length of time, no date and no number, the honest reply is that the
sources give no time for it (`<topic>.how_long`, else `any.how_long`, with the unified
number), said of that answer's subject; an answer that gives one ("90 يوم", "24 ساعة",
"شهريًا") is left to answer.
"""

from __future__ import annotations

import re

from bot.nlu.arabic import normalize

# Asked anywhere in the message: a length of time, a moment, or a count of days.
_ASKS_TIME = re.compile(
    r"(?:^|\s)(?:و?كم (?:ياخذ|تاخذ|يطول|تطول|يستغرق|تستغرق|المده|مده|وقت|يوم|ساعه|شهر|اسبوع)"
    r"|و?متي|و?بعد كم|و?خلال كم|و?قديش ياخذ)(?:\s|$|[؟?])"
    r"|\bhow (?:long|soon|many (?:days|weeks|months|hours))\b"
    r"|\bwhen (?:will|does|do|is|can|would|should)\b",
    re.IGNORECASE,
)
# What gives a time in an answer: a count of a unit of time ("90 يوم", "24 ساعة", "3
# أشهر"), a rhythm ("شهريًا") or a time of day ("8 صباحًا"). Not a phone number
# (19912), an age ("18 سنة") or a step's number.
_UNIT = r"(?:يوم|ايام|ساعه|ساعات|شهر|اشهر|شهور|اسبوع|اسابيع|دقيقه|دقايق|دقائق)"
_GIVES_TIME = re.compile(
    rf"(?<!\d)\d{{1,3}} ?{_UNIT}|(?:ثلاث|ثلاثه|خمس|سبع|عشر|ستين|تسعين) {_UNIT}"
    r"|شهري|فوري|فورا|(?<!\S)(?:ال)?(?:صباحا?|مساء|ظهرا?)(?!\S)"
    r"|\b\d{1,3} ?(?:day|days|hour|hours|month|months|week|weeks|minutes)\b"
    r"|\b(?:monthly|immediately|morning|evening|noon|[ap]\.?m)\b",
    re.IGNORECASE,
)


def asks_time(text: str) -> bool:
    return bool(_ASKS_TIME.search(normalize(text or "").lower()))


def gives_time(answer_text: str) -> bool:
    return bool(_GIVES_TIME.search(normalize(answer_text or "").lower()))
