"""Which paper proves something and where to get one ("وش الورقة اللي تثبت اني ساكن
لحالي؟", "والقيد من وين اطلعه؟", "where do i get the mobility card?").

The sources say what must be proved (independent housing) and list the documents that
may be asked for (the family record, a salary statement), but never which paper proves
what, nor where any of them is issued. Read as the topic's own answer or its line, such
a question got the list again; the honest answer is that the sources do not say, with
where the portal shows what a case needs and the unified number (`any.paper`). A paper
that proves something the documents' answer does name ("وش الورقة اللي تثبت دخلي؟": the
salary statement) is answered with that line (bot/actions/followups.py). The ellipsis's
`group` says which of the two is asked: PROOF or OBTAIN.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.nlu.arabic import normalize
from bot.services.followups.shapes import PAPER, Ellipsis

_OBTAIN = r"(?:اطلع|استخرج|اجيب|احصل|اسوي)(?:ه|ها)?"
# One paper, asked for by what it proves or "exactly" ("وش الاوراق المطلوبة؟" is the
# documents' own question, answered by their FAQ).
_PAPER = r"(?:الورقه|ورقه|المستند|مستند|الوثيقه|وثيقه|الاثبات|اثبات)"
_ASKS = re.compile(
    rf"(?:^|\s)(?:من )?وين {_OBTAIN}(?:\s(?!عل[يى] )|$|[؟?])"
    rf"|(?:^|\s)و?(?:وش|ويش|ايش|اي) {_PAPER}(?: اللي| الي)? (?:تثبت|يثبت|اثبت|المطلوبه بالضبط)"
    r"|(?:^|\s)و?(?:كيف|وش) (?:اثبت|نثبت|يثبت)(?:\s|$)"
    r"|\bwhere (?:do|can|would) (?:i|we) (?:get|obtain|issue) (?:(?:a|the|my|this|that) )?"
    r"(?:\w+ )?(?:card|record|document|paper|certificate|proof)"
    r"|\b(?:what|which) (?:document|paper|proof) (?:proves|shows|do i need to prove)\b"
    r"|\bhow (?:do|can) i prove\b",
    re.IGNORECASE,
)


# The words of a paper question that name no subject ("وش الورقه اللي تثبت" + "دخلي").
PAPER_WORDS = frozenset(
    "الورقه ورقه الاوراق المستند مستند الوثيقه وثيقه الاثبات اثبات تثبت يثبت اثبت نثبت"
    " المطلوبه المطلوب بالضبط اطلع اطلعه اطلعها استخرج اجيب احصل document paper proof"
    " proves prove shows get obtain".split()
)
OBTAIN, PROOF = "obtain", "proof"


def read_paper(text: str) -> Optional[Ellipsis]:
    """PAPER for a question asking which paper proves something (group PROOF) or where
    one is got (group OBTAIN)."""
    if not text or text.lstrip().startswith("/"):
        return None
    folded = normalize(text).lower()
    found = _ASKS.search(folded)
    if not found:
        return None
    obtain = "وين" in found.group(0) or "where" in found.group(0)
    return Ellipsis(PAPER, group=OBTAIN if obtain else PROOF)
