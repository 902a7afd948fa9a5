"""Amounts, counts, yes/no, "I don't know" and choices, as people type them."""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Sequence

from bot.services.parsing.numbers import _WORDS, parse_number
from bot.services.parsing.text import _DOUBLES, _any_phrase, _correction, _fold_all, _tokens

# ---------------------------------------------------------------------------
# Zero, "I don't know", yes and no
# ---------------------------------------------------------------------------

_UNSURE = _fold_all(
    [
        "ما ادري",
        "مدري",
        "مادري",
        "ما أدري",
        "ما اعرف",
        "ماعرف",
        "ما اعرفه",
        "ما عرف",
        "لا اعرف",
        "لا أعلم",
        "لا اعلم",
        "مو متاكد",
        "مب متاكد",
        "مش متاكد",
        "موب متاكد",
        "غير متاكد",
        "لست متاكد",
        "لست متأكدا",
        "مو متأكدة",
        "الله اعلم",
        "ما اتذكر",
        "ماتذكر",
        "ما اذكر",
        "مو عارف",
        "مب عارف",
        "مش عارف",
        "يمكن",
        "ربما",
        "ممكن",
        "مدري والله",
        "not sure",
        "idk",
        "dunno",
        "maybe",
        "unsure",
        "not certain",
        "dont know",
        "do not know",
        "no idea",
        "perhaps",
        "cant remember",
        "dont remember",
    ]
)

_ZERO = _fold_all(
    [
        "ما عندي",
        "ماعندي",
        "ما عندنا",
        "ماعندنا",
        "ما فيه",
        "مافيه",
        "ما في",
        "مافي",
        "ماكو",
        "لا يوجد",
        "لايوجد",
        "ولا شي",
        "ولا شيء",
        "ولاشي",
        "لا شي",
        "لاشي",
        "بدون",
        "ما لي",
        "مالي",
        "ما لنا",
        "مالنا",
        "none",
        "nothing",
        "no",
        "nil",
        "nobody",
        "no one",
        "not any",
        "dont have",
        "do not have",
        "have no",
        "without",
        "لا",
        "ابد",
        "ابدا",
        "ولا",
        "محد",
        "ما احد",
        "ماحد",
        "ولا احد",
        "ولا واحد",
    ]
)


_ZERO_INCOME = _fold_all(
    [
        "عاطل",
        "عاطله",
        "ما اشتغل",
        "مااشتغل",
        "ما اشتغلت",
        "بدون دخل",
        "بدون وظيفة",
        "بدون عمل",
        "ما عندي وظيفة",
        "ماعندي شغل",
        "ولا ريال",
        "ولا هلله",
        "unemployed",
        "no income",
        "no salary",
        "no job",
        "jobless",
        "not working",
        "dont work",
        "zero income",
    ]
)

_ZERO_TRAVEL = _fold_all(
    [
        "ما سافرت",
        "ماسافرت",
        "ما طلعت",
        "ماطلعت",
        "ما غبت",
        "ولا مره",
        "ولا يوم",
        "ولا سفره",
        "ما نسافر",
        "ما اسافر",
        "مااسافر",
        "ما خرجت",
        "لم اسافر",
        "لم أغادر",
        "never",
        "didnt travel",
        "did not travel",
        "havent travelled",
        "havent traveled",
        "have not travelled",
        "have not traveled",
        "not travelled",
        "not traveled",
        "no travel",
        "not at all",
        "didnt leave",
        "never left",
        "stayed",
    ]
)

_YES = frozenset(
    _fold_all(
        [
            "نعم",
            "ايه",
            "ايوه",
            "ايوا",
            "اي",
            "اكيد",
            "أكيد",
            "صح",
            "صحيح",
            "طبعا",
            "اجل",
            "بلى",
            "yes",
            "y",
            "yeah",
            "yep",
            "yup",
            "ok",
            "okay",
            "اوكي",
            "اوك",
            "تمام",
            "مضبوط",
            "يب",
            "يس",
            "هيه",
            "موافق",
            "بالضبط",
            "اكيده",
            "true",
            "ماشي",
            "yea",
            "ya",
            "sure",
            "certainly",
            "definitely",
            "absolutely",
            "correct",
            "right",
            "indeed",
        ]
    )
)

_NO = frozenset(
    _fold_all(
        [
            "لا",
            "لاء",
            "لأ",
            "مو",
            "مب",
            "مش",
            "موب",
            "ما",
            "ابد",
            "ابدا",
            "كلا",
            "no",
            "n",
            "nope",
            "nah",
            "غلط",
            "خطا",
            "ليس",
            "لست",
            "لسنا",
            "مافي",
            "ماعندي",
            "ماني",
            "مانيب",
            "false",
            "مهوب",
            "مهب",
            "لم",
            "not",
            "never",
            "dont",
            "didnt",
            "doesnt",
            "isnt",
            "havent",
            "wrong",
            "incorrect",
        ]
    )
)


_SURELY = frozenset(
    _fold_all(["اكيد", "أكيد", "اكيده", "طبعا", "طبعاً", "sure", "certainly", "definitely"])
)

# A reply that asks something ("وش يعني تابع؟") is no answer, whatever words it has.
_QUESTION_WORDS = _fold_all(
    [
        "وش",
        "ايش",
        "إيش",
        "شو",
        "شنو",
        "وشو",
        "وشهو",
        "وشلون",
        "شلون",
        "كيف",
        "ليش",
        "ليه",
        "لماذا",
        "ماذا",
        "هل",
        "متى",
        "مين",
        "منو",
        "معنى",
        "معناه",
        "يعني ايش",
        "what",
        "how",
        "why",
        "do i",
        "should i",
        "meaning",
    ]
)


def is_question(text: str) -> bool:
    """ "وش يعني تابع؟", "هل امي تنحسب", "زوجتي تنحسب؟": the person asks rather than
    answers (a question mark, or a question word)."""
    if "?" in (text or "") or "؟" in (text or ""):
        return True
    return _any_phrase(_tokens(text), _QUESTION_WORDS)


def is_unsure(text: str) -> bool:
    """ "مدري", "ما اعرف", "مو متأكد", "يمكن" ... : the person does not know."""
    return _any_phrase(_tokens(text), _UNSURE)


def _is_zero(tokens: Sequence[str], extra: Sequence[str] = ()) -> bool:
    return _any_phrase(tokens, _ZERO) or _any_phrase(tokens, extra)


def parse_amount(text: str) -> Optional[float]:
    """Money: a number (see parse_number), or 0 for "ما عندي دخل", "عاطل",
    "ولا ريال", "لا" ...; None for "ما ادري" and anything else."""
    number = parse_number(text)
    if number is not None:
        return number
    if is_unsure(text):
        return None
    tokens = _tokens(text)
    return 0.0 if _is_zero(tokens, _ZERO_INCOME) else None


def parse_count(text: str) -> Optional[float]:
    """A count of people or things: a number, or 0 for "ما عندي", "ولا واحد", "لا".

    Returned as a float so the caller can tell "2.5" (not a count) from 2."""
    number = parse_number(text)
    if number is not None:
        return number
    if is_unsure(text):
        return None
    return 0.0 if _is_zero(_tokens(text)) else None


# ---------------------------------------------------------------------------
# Yes / no and choices
# ---------------------------------------------------------------------------


def parse_yes_no(text: str) -> Optional[bool]:
    """True for "ايه", "اي والله", "نعم", "اكيد", "yes", "sure" ...; False for "لا",
    "مو", "ابد", "لا والله", "اكيد لا", "ماسافرت", "no", "I don't" ...; None when unsure
    or unclear.
    "ايه.. لا قصدي لا" is its correction, False."""
    if is_unsure(text):
        return None
    tokens = [t if t in _YES or t in _NO else _DOUBLES.sub(r"\1", t) for t in _tokens(text)]
    # Only an explicit "قصدي"/"عفوا" corrects a yes/no: a bare "لا" is itself an answer.
    found = _correction(tokens, lambda part: _yes_no_in(part) is not None, on_no=False)
    return _yes_no_in(found[1] if found else tokens)


def _yes_no_in(tokens: Sequence[str]) -> Optional[bool]:
    if not tokens:
        return None
    first = tokens[0]
    if first in _SURELY and len(tokens) > 1 and tokens[1] in _NO:
        return False  # "اكيد لا", "طبعا لا": certainly not
    if first in _YES:
        return True
    if first in _NO:
        return False
    if first.startswith("ما") and len(first) > 3 and first not in _WORDS:
        return False  # a negated verb: "ماسافرت", "ماعندنا"
    yes = any(t in _YES for t in tokens)
    no = any(t in _NO for t in tokens)
    if yes != no:
        return yes
    return None


def parse_choice(text: str, options: Dict[str, Iterable[str]]) -> Optional[str]:
    """The option whose phrases appear in the text, if exactly one does.

    options: {"key": ["phrase", ...]}; phrases are matched word by word after the
    same folding as the text, so "أمي سعودية" matches "امي سعوديه"."""
    tokens = _tokens(text)
    matches = {key for key, phrases in options.items() if _any_phrase(tokens, _fold_all(phrases))}
    return matches.pop() if len(matches) == 1 else None
