"""Questions about a service, and conditions, that are not elliptical shapes of their own.

- asks_about_service: "وين اقدم بلاغ؟", "وش احتاج عشان اتحقق؟", "كيف اعرف اذا انا مؤهل؟",
  also at the end of a message that tells a problem first; answered by an FAQ with
  the service offered, never by starting its form (bot/nlu/followup_shapes.py).
- read_condition: "وإذا ما عندي ايبان؟" continuing the message before, when no other
  shape reads it (kind IF).
"""

from __future__ import annotations

import re
from typing import Optional

from bot.nlu.arabic import normalize
from bot.nlu.message_shapes import strip_courtesy
from bot.services.followups.shapes import (
    _NEED,
    ACCEPTED,
    ASKING,
    CORRECTION,
    EMAIL,
    HOW,
    IF,
    LATE,
    MOBILE_CHANGED,
    NEXT,
    NO_ACCESS,
    NO_SMS,
    NOT_DONE,
    PHONE,
    REJECTED,
    WHAT,
    WHERE,
    WHO,
    Ellipsis,
    _body,
    _unglued,
    read,
    words,
)

# Questions about a service ("وين اقدم بلاغ؟", "وش احتاج عشان اتحقق؟", "كيف اعرف اذا
# انا مؤهل؟"): where it is, what it needs, how to find something out; not a request
# ("ابي اتحقق", "افتح لي بلاغ") to start it.
_ABOUT_SERVICE = re.compile(
    rf"^(?:من )?وين(?:ه|ها)?(?: |$)|^(?:وش )?{_NEED}(?: |$)"
    r"|^كيف (?:اعرف|اشوف|اتاكد|نعرف|يعرف|اعترض|نعترض|اشتكي|نشتكي|ارفع|اقدم|افتح|اتحقق)(?: |$)"
    # "واقدر اتابع الشكوى بعدين؟": whether the service lets you, not a request to start it.
    r"|^(?:هل )?(?:اقدر|نقدر|ممكن|يمديني|يمدي) (?:اتابع|نتابع|اعرف|اشوف|اتاكد)(?: |$)"
)


def asks_about_service(text: str) -> bool:
    """True for a question about where something is, what it needs or how to find
    something out ("وين اقدم بلاغ؟", "وش احتاج عشان اتحقق؟", "كيف اعرف اذا انا مؤهل؟"),
    elliptical or not."""
    bodies = [_body(text)[0]]
    last = _last_sentence(text)
    told = " ".join(words(text[: text.rfind(last)])) if last else ""
    # "عندي مشكلة في الصرف، وين اشتكي؟": a problem told, then where; not a greeting
    # before the question ("السلام عليكم، وين ..."), which is read as it always was.
    if last and last != text and strip_courtesy(told):
        bodies.append(_body(last)[0])
    # "عندي مشكلة في صرف الدعم وين اشتكي؟": the where-question in the last few words.
    tail = _TAIL_WHERE.search(bodies[0])
    if tail:
        bodies.append(tail.group(1))
    # "ابي ارفع شكوى على حساب المواطن كيف؟": what is wanted, then "how?" of it.
    how = _TAIL_HOW.search(bodies[0])
    if how and how.start():
        before = bodies[0][: how.start()]
        # "الدفعه نزلت ناقصه ابي اعترض كيف": what is wanted follows the last "ابي".
        wants = list(_WANT.finditer(before))
        wanted = before[wants[-1].end() :] if wants else before
        bodies.append(f"كيف {wanted.strip()}")
    return any(
        _ABOUT_SERVICE.search(body) or _ABOUT_SERVICE.search(_unglued(body) or body)
        for body in bodies
    )


_TAIL_WHERE = re.compile(r"(?:^|\s)((?:من )?وين(?:\s\S+){1,3})$")
_TAIL_HOW = re.compile(r"(?:^|\s)(?:طيب\s+)?(?:كيف|شلون|وشلون|وش الطريقه)\s*$")
_WANT = re.compile(r"(?:^|\s)(?:ابي|ابغى|ابغي|ودي|حاب|اريد|أريد)\s+")


def _last_sentence(text: str) -> str:
    """The message's last sentence (after its last comma, full stop or line break)."""
    parts = re.split(r"[،,.\n؛;!]+", text or "")
    parts = [p for p in parts if p.strip(" ؟?")]
    return parts[-1].strip() if len(parts) > 1 else ""


_IF = re.compile(r"(?:اذا|لو|وان|ان) \S+(?: \S+){0,5}")


def read_condition(text: str) -> Optional[Ellipsis]:
    """ "وإذا ما عندي ايبان؟", "ولو الحساب مو باسمي؟": a short condition continuing the
    message before (kind IF), when no other shape reads it."""
    # "ولو ما نزلت ابد وين اشتكي؟" asks where: a question about a service.
    if not text or text.lstrip().startswith("/") or asks_about_service(text):
        return None
    body, led = _body(text)
    unglued = _unglued(body)
    if not (led or unglued):
        return None
    candidate = unglued or body
    if not _IF.fullmatch(candidate):
        return None
    said = candidate.split()
    # "وإذا خلصت وش بعده؟": the question at its end says what is asked.
    for size in (3, 2, 1):
        asked = read(" ".join(said[-size:])) if len(said) > size else None
        if asked is not None and asked.kind in ASKING:
            return asked
    # "يعني لو ما حدثت يوقفونه؟": the case at its start is what is asked.
    for size in (3, 2):
        asked = read(" ".join(said[:size])) if len(said) > size else None
        if asked is not None and asked.kind in CASES:
            return asked
    return Ellipsis(IF, about=tuple(w for w in said[1:] if w not in _NOT_CONTENT))


# Words of a condition that say nothing of its subject.
_NOT_CONTENT = set(
    "ما مو ماني مب انا هو هي كان كانت كنت صار صارت عندي عنده عندها عندنا لي له لها في من على"
    " عن طيب يعني بس الحين".split()
)


# "سويت التحقق وطلع اني مو مستحق", "رفعت اعتراض قبل شهرين وللحين تحت الدراسه": a
# service the citizen already used, told with what came of it. Not a request to start it
# again: what the outcome means is the answer, the service one tap away.
_DID = re.compile(
    r"(?:^|\s)(?:سويت|سوويت|عملت|رفعت|قدمت|تقدمت|اعترضت|سجلت|فتحت|دخلت|اشتكيت)(?:ه|ها)?(?:\s|$)"
)
_CAME_OF_IT = re.compile(
    r"(?:^|\s)(?:و?طلع|و?طلعت|طلعلي|و?للحين|لين الحين|الى الحين|ولا احد|ما ردوا|ما ردو"
    r"|ماردوا|تحت الدراس|قيد الدراس|مرفوض|انرفض|رفضوه|غير مؤهل|مو مؤهل|مو مستحق|غير مستحق"
    r"|ما استحق|ما انقبل)"
)


def tells_outcome(text: str) -> bool:
    """True for a message telling a service already used and what came of it."""
    said = " ".join(words(text or ""))
    found = _DID.search(said)
    return bool(found) and bool(_CAME_OF_IT.search(said[found.end() :]))


# "وش اسوي اذا شايف انه غلط؟": the question, then the case it is asked in.
_CASE = re.compile(r"\s(?:اذا|إذا|لو|if)\s", re.IGNORECASE)
# The question before its case is short ("طيب وش اسوي"), and asks what to do or where:
# "كم ياخذ اذا اعترضت؟" asks the time of what the case names, not of the answer before.
MAX_HEAD_WORDS = 4
CASE_HEADS = frozenset({NEXT, HOW, WHAT, WHERE, WHO, PHONE})


def read_first_question(text: str) -> Optional[Ellipsis]:
    """ "ليش؟ انا سعودي وعمري ٣٠", "وش اسوي اذا شايف انه غلط؟": a short question first,
    then what the citizen tells of themselves or the case it is asked in; the question
    is what is asked."""
    first, mark, rest = (text or "").partition("؟")
    if not mark:
        first, mark, rest = (text or "").partition("?")
    if mark and rest.strip() and "؟" not in rest and "?" not in rest:
        asked = read(first)
        return asked if asked is not None and asked.kind in ASKING else None
    head = _CASE.split(text or "", maxsplit=1)
    if len(head) == 2 and len(words(head[0])) <= MAX_HEAD_WORDS:
        asked = read(head[0])
        return asked if asked is not None and asked.kind in CASE_HEADS else None
    return None


# "وش ايميل حساب المواطن؟", "whats the email to send a complaint to?", "wesh el email":
# the sources give no e-mail address, whatever the rest of the message asks of it.
_EMAIL = re.compile(
    r"(?:^|\s|و|وال|ال)(?:ايميل|ايميلهم|ايميلي|بريد الكتروني|البريد الالكتروني)(?:\s|$|[؟?])|\be-?mail\b"
)


def read_email(text: str) -> Optional[Ellipsis]:
    """EMAIL for a message that asks about an e-mail address."""
    if not text or text.lstrip().startswith("/"):
        return None
    return Ellipsis(EMAIL) if _EMAIL.search(normalize(text).lower()) else None


# "وإذا ما حدثت وش بيصير؟": a case, then the generic "what happens then?". The case says
# what is asked ("and if I do not update?"), not the question after it.
_WHAT_HAPPENS = re.compile(
    r"\s(?:و?(?:وش|ايش|ويش) (?:بي|ي|ت|بت)?صير|what happens|what will happen)\b.*$", re.IGNORECASE
)
CASES = frozenset({NOT_DONE, LATE, NO_SMS, REJECTED, ACCEPTED, NO_ACCESS, MOBILE_CHANGED})


def read_case_first(text: str) -> Optional[Ellipsis]:
    """The case a "what happens then?" question is asked of, when it reads as one."""
    head = _WHAT_HAPPENS.sub("", text or "").strip()
    if not head or head == (text or "").strip():
        return None
    asked = read(head)
    return asked if asked is not None and asked.kind in CASES else None


# "لا قصدي رقم الجوال مو كلمة المرور", "no i mean the mobile number": the citizen says
# the answer just given is not what they asked; what they meant is read again.
_CORRECTION = re.compile(
    r"^\s*(?:لا|لاء|لا لا|مو كذا)?\s*(?:قصدي|اقصد|قصدت|مقصدي|ابي اقصد)\s+\S"
    r"|^\s*(?:no[,.]?\s*)?i mean(?:t)?\s+\S",
    re.IGNORECASE,
)


def read_correction(text: str) -> Optional[Ellipsis]:
    """CORRECTION for a message that says the previous answer is not what was meant."""
    if not text or text.lstrip().startswith("/"):
        return None
    said = " ".join(words(text))  # without the comma of "لا، اقصد"
    return Ellipsis(CORRECTION) if _CORRECTION.search(said) else None
