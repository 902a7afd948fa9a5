"""Read the answers people actually type: numbers, amounts, durations, yes/no, choices.

Citizens answer a question the way they would answer a person: "٥٠٠٠ ريال",
"خمسة آلاف", "5 الاف", "5k", "الف ونص", "ما عندي دخل", "شهرين", "٤٥ يوم",
"ايه", "لا ابد", "مدري". Every parser here takes the raw text and returns a
plain Python value, or None when the text does not answer the question (the
caller then explains and asks again). Nothing here knows about Rasa or about a
particular form, so any feature can reuse it.

    parse_number("خمسة آلاف وخمسمية")   -> 5500.0
    parse_amount("ما عندي دخل")          -> 0.0
    parse_count("ولا واحد")              -> 0
    parse_duration_months("شهر ونص")     -> 1.5
    parse_yes_no("ايه والله")            -> True
    is_unsure("والله ما ادري")           -> True
    parse_choice("امي سعودية", {...})    -> "saudi_mother"
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.nlu.arabic import fold_letters, to_ascii_digits

__all__ = [
    "parse_number",
    "parse_amount",
    "parse_count",
    "parse_duration_months",
    "parse_yes_no",
    "is_unsure",
    "parse_choice",
    "clean",
]

# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_ARABIC_DECIMAL = "\u066b"  # ٫
_ARABIC_THOUSANDS = "\u066c"  # ٬
_MINUS = "\u2212"  # −
_THOUSANDS = re.compile(r"(?<=\d)[,،](?=\d{3}(?!\d))")
_SPACED_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?![\d.]))")
_DIGIT_LETTER = re.compile(r"(\d)([^\d\s.,\-])")
_LETTER_DIGIT = re.compile(r"([^\d\s.,\-+])(\d)")
_TOKEN = re.compile(r"(?<![\w.])-\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?|[^\W\d_]+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLES = re.compile(r"([^\W\d_])\1")


def clean(text: str) -> str:
    """Letters folded (أ→ا, ى→ي, ة→ه), digits ASCII, Latin lower-cased, thousands
    separators dropped, digits split from words ("5k" → "5 k")."""
    text = fold_letters(to_ascii_digits(text or "")).lower()
    text = text.replace(_ARABIC_DECIMAL, ".").replace(_ARABIC_THOUSANDS, "")
    text = text.replace(_MINUS, "-").replace("\u2013", "-")
    text = _THOUSANDS.sub("", text)
    text = _SPACED_THOUSANDS.sub("", text)
    text = _DIGIT_LETTER.sub(r"\1 \2", text)
    text = _LETTER_DIGIT.sub(r"\1 \2", text)
    # "لاااا" → "لا", "ايييه" → "ايه": stretched letters are emphasis, not spelling.
    return _REPEATS.sub(r"\1", text)


def _tokens(text: str) -> List[str]:
    return _TOKEN.findall(clean(text))


def _phrase_in(tokens: Sequence[str], phrase: str) -> bool:
    words = phrase.split()
    n = len(words)
    return any(list(tokens[i : i + n]) == words for i in range(len(tokens) - n + 1))


def _any_phrase(tokens: Sequence[str], phrases: Iterable[str]) -> bool:
    return any(_phrase_in(tokens, p) for p in phrases)


def _fold_all(words: Iterable[str]) -> Tuple[str, ...]:
    return tuple(clean(w) for w in words)


# ---------------------------------------------------------------------------
# Numbers written in words (MSA and Gulf dialect), after clean()
# ---------------------------------------------------------------------------

_NUM = "num"
_HUNDRED = "hundred"
_SCALE = "scale"
_HALF = "half"
_AND = "and"
_DUAL = "dual"  # "الفين": two of a scale
_NEG = "neg"

_WORDS: Dict[str, Tuple[str, float]] = {}


def _add(kind: str, value: float, *spellings: str) -> None:
    for spelling in spellings:
        _WORDS[clean(spelling)] = (kind, value)


_add(_NUM, 0, "صفر", "zero")
_add(_NUM, 1, "واحد", "واحدة", "وحدة", "احدى", "one")
_add(_NUM, 2, "اثنين", "اثنان", "اثنتين", "اثنتان", "ثنين", "اتنين", "اثنينن", "اثنا", "two")
_add(_NUM, 3, "ثلاث", "ثلاثة", "تلات", "تلاتة", "ثلاثه", "three")
_add(_NUM, 4, "اربع", "أربعة", "اربعه", "four")
_add(_NUM, 5, "خمس", "خمسة", "five")
_add(_NUM, 6, "ست", "ستة", "six")
_add(_NUM, 7, "سبع", "سبعة", "seven")
_add(_NUM, 8, "ثمان", "ثماني", "ثمانية", "ثمنية", "تمانية", "eight")
_add(_NUM, 9, "تسع", "تسعة", "nine")
_add(_NUM, 10, "عشر", "عشرة", "ten")
_add(_NUM, 11, "احدعش", "حدعش", "احدعشر")
_add(_NUM, 12, "اثنعش", "اطنعش", "اثنعشر", "طنعش")
_add(_NUM, 13, "ثلطعش", "ثلاثطعش", "ثلتعش", "تلتاشر")
_add(_NUM, 14, "اربعطعش", "اربعتعش", "اربعتاشر")
_add(_NUM, 15, "خمسطعش", "خمستعش", "خمستاشر")
_add(_NUM, 16, "ستطعش", "سطعش", "ستعش", "ستاشر")
_add(_NUM, 17, "سبعطعش", "سبعتعش", "سبعتاشر")
_add(_NUM, 18, "ثمنطعش", "ثمانطعش", "ثمنتعش", "تمنتاشر")
_add(_NUM, 19, "تسعطعش", "تسعتعش", "تسعتاشر")
_add(_NUM, 20, "عشرين", "عشرون", "twenty")
_add(_NUM, 30, "ثلاثين", "ثلاثون", "تلاتين", "thirty")
_add(_NUM, 40, "اربعين", "أربعون", "forty")
_add(_NUM, 50, "خمسين", "خمسون", "fifty")
_add(_NUM, 60, "ستين", "ستون", "sixty")
_add(_NUM, 70, "سبعين", "سبعون", "seventy")
_add(_NUM, 80, "ثمانين", "ثمانون", "تمانين", "eighty")
_add(_NUM, 90, "تسعين", "تسعون", "ninety")
_add(_HUNDRED, 100, "مية", "مئة", "مائة", "ماية", "hundred")
_add(_NUM, 200, "ميتين", "مئتين", "مئتان", "مائتين", "مائتان", "ميتان")
_add(_NUM, 300, "ثلاثمية", "ثلاثمئة", "ثلاثمائة", "ثلثمية", "تلتمية")
_add(_NUM, 400, "اربعمية", "أربعمئة", "أربعمائة")
_add(_NUM, 500, "خمسمية", "خمسمئة", "خمسمائة")
_add(_NUM, 600, "ستمية", "ستمئة", "ستمائة")
_add(_NUM, 700, "سبعمية", "سبعمئة", "سبعمائة")
_add(_NUM, 800, "ثمانمية", "ثمانمئة", "ثمانمائة", "ثمنمية")
_add(_NUM, 900, "تسعمية", "تسعمئة", "تسعمائة")
_add(_SCALE, 1000, "الف", "آلاف", "الوف", "k", "thousand", "الاف", "تالاف", "تلاف", "تلاف")
_add(_DUAL, 1000, "الفين", "ألفان", "الفان")
_add(_SCALE, 1_000_000, "مليون", "ملايين", "million")
_add(_DUAL, 1_000_000, "مليونين", "مليونان")
_add(_HALF, 0.5, "نص", "نصف")
_add(_HALF, 0.25, "ربع")
_add(_NEG, -1, "سالب")


def _classify(token: str) -> List[Tuple[str, float]]:
    """A token as number items; [] for an ordinary word. "وخمسين" → and + 50."""
    if token[0].isdigit() or token[0] == "-":
        return [(_NUM, float(token.replace(" ", "")))]
    if token in _WORDS:
        return [_WORDS[token]]
    if token == "و":
        return [(_AND, 0)]
    if token.startswith("و") and token[1:] in _WORDS:
        return [(_AND, 0), _WORDS[token[1:]]]
    return []


def _evaluate(items: List[Tuple[str, float]]) -> Optional[float]:
    """Value of one run of number items, or None if it is not one number."""
    total = 0.0
    current = 0.0
    seen = False
    sign = 1
    last_scale = 1.0
    joined = True  # the previous item lets another value follow ("و", a scale)
    last_kind: Optional[str] = None
    last_part = float("inf")  # the last value added; parts of one number get smaller
    for kind, value in items:
        if kind == _AND:
            joined = True
            continue
        if kind == _NEG:
            sign = -sign
            continue
        if kind == _NUM:
            teen = value == 10 and last_kind == _NUM and 0 < current < 10  # "خمسة عشر"
            if seen and last_kind == _NUM and not joined and not teen:
                return None  # "3 4": two numbers, not one
            units_then_tens = last_part < 10 and value in (20, 30, 40, 50, 60, 70, 80, 90)
            if seen and value >= last_part and not teen and not units_then_tens:
                return None  # "3000 و 4000": two numbers, not one
            current += value
            last_part = value
        elif kind == _HUNDRED:
            current = (current or 1) * value
            last_part = current
        elif kind == _SCALE:
            last_part = (current or 1) * value
            total += last_part
            current = 0.0
            last_scale = value
        elif kind == _DUAL:
            total += 2 * value
            last_scale = value
            last_part = 2 * value
        elif kind == _HALF:
            if last_scale > 1 and current == 0 and seen:
                total += last_scale * value  # "الف ونص" → 1500
            else:
                current += value  # "35 ونص" → 35.5
        seen = True
        joined = kind in (_SCALE, _HUNDRED, _DUAL)
        last_kind = kind
    if not seen:
        return None
    result = sign * (total + current)
    return 0.0 if result == 0 else float(result)


def _number_runs(tokens: Sequence[str]) -> List[List[Tuple[str, float]]]:
    """Split tokens into runs of number items separated by ordinary words."""
    runs: List[List[Tuple[str, float]]] = []
    run: List[Tuple[str, float]] = []
    for token in tokens:
        items = _classify(token)
        if items:
            run.extend(items)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    # A run made only of "و" / "سالب" carries no number.
    return [r for r in runs if any(k in (_NUM, _HUNDRED, _SCALE, _DUAL, _HALF) for k, _ in r)]


def parse_number(text: str) -> Optional[float]:
    """The one number in the text, in digits (any script) or words, else None.

    "٥٠٠٠ ريال" → 5000, "5,000" → 5000, "5k" / "5 الاف" / "خمسة آلاف" → 5000,
    "الف ونص" → 1500, "-300" → -300. Two separate numbers ("3 عيال و 2 بنات") are
    ambiguous and give None, so the question is asked again.
    """
    tokens = _tokens(text)
    if _any_phrase(tokens, _NONE_OF_ONE):
        return 0.0  # "ولا واحد" is none, not one
    runs = _number_runs(tokens)
    if len(runs) != 1:
        return None
    return _evaluate(runs[0])


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

_NONE_OF_ONE = _fold_all(["ولا واحد", "ولا واحده", "ولا وحده", "ولا ولد"])

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
        ]
    )
)


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
# Durations
# ---------------------------------------------------------------------------

# Months per unit as (numerator, denominator), so 90 days is exactly 3 months.
_DAY, _WEEK, _MONTH, _YEAR = (1, 30), (7, 30), (1, 1), (12, 1)
_UNITS: Dict[str, Tuple[Tuple[int, int], Optional[int]]] = {}


def _unit(months: Tuple[int, int], dual: Optional[int], *spellings: str) -> None:
    for spelling in spellings:
        _UNITS[clean(spelling)] = (months, dual)


_unit(_DAY, None, "يوم", "ايام", "يوما", "days", "day")
_unit(_DAY, 2, "يومين", "يومان")
_unit(_WEEK, None, "اسبوع", "اسابيع", "أسبوعا", "weeks", "week")
_unit(_WEEK, 2, "اسبوعين", "اسبوعان")
_unit(_MONTH, None, "شهر", "شهور", "اشهر", "أشهر", "شهرا", "months", "month")
_unit(_MONTH, 2, "شهرين", "شهران")
_unit(_YEAR, None, "سنه", "سنة", "سنين", "سنوات", "عام", "اعوام", "أعوام", "عاما", "years", "year")
_unit(_YEAR, 2, "سنتين", "سنتان", "عامين", "عامان")

_NONE_OF_A_UNIT = ("ولا", "لا", "ما")  # "ولا يوم", "ولا شهر": zero


def _unit_of(token: str) -> Optional[Tuple[Tuple[int, int], Optional[int]]]:
    """(months per unit, implied count for duals) or None; "وشهر", "بشهرين" too."""
    if token in _UNITS:
        return _UNITS[token]
    if token[:1] in ("و", "ب") and token[1:] in _UNITS:
        return _UNITS[token[1:]]
    return None


def _has_number(items: List[Tuple[str, float]]) -> bool:
    return any(kind not in (_AND, _NEG) for kind, _ in items)


def parse_duration_months(text: str) -> Optional[float]:
    """A length of time in months: "3 شهور" → 3, "شهرين" → 2, "٤٥ يوم" → 1.5,
    "شهر ونص" → 1.5, "سنة" → 12, a bare number → months, "ما سافرت" → 0.
    None when there is no duration or the text is ambiguous."""
    tokens = _tokens(text)
    if not tokens:
        return None
    if (
        tokens[0] in _NONE_OF_A_UNIT
        and len(tokens) > 1
        and _unit_of(tokens[1])
        and (len(tokens) == 2 or not _number_runs(tokens[2:]))
    ):
        return 0.0  # "ولا يوم"
    total = 0.0
    found = False
    pending: List[Tuple[str, float]] = []
    last_unit: Optional[Tuple[int, int]] = None
    for token in tokens:
        unit = _unit_of(token)
        if unit is not None:
            (num, den), dual = unit
            if _has_number(pending):
                value = _evaluate(pending)
                if value is None:
                    return None
            else:
                value = float(dual or 1)
            total += value * num / den
            found = True
            last_unit = (num, den)
            pending = []
            continue
        items = _classify(token)
        if items and items[-1][0] == _HALF and last_unit and not _has_number(pending):
            total += items[-1][1] * last_unit[0] / last_unit[1]  # "شهر ونص"
            pending = []
        elif items:
            pending.extend(items)
        elif _has_number(pending):
            # A number followed by an ordinary word: months ("3 تقريبا").
            value = _evaluate(pending)
            if value is None:
                return None
            total += value
            found = True
            pending = []
        else:
            pending = []
    if _has_number(pending):
        value = _evaluate(pending)
        if value is None:
            return None
        total += value
        found = True
    if found:
        return total
    if is_unsure(text):
        return None
    return 0.0 if _is_zero(tokens, _ZERO_TRAVEL) else None


# ---------------------------------------------------------------------------
# Yes / no and choices
# ---------------------------------------------------------------------------


def parse_yes_no(text: str) -> Optional[bool]:
    """True for "ايه", "اي والله", "نعم", "اكيد", "yes" ...; False for "لا",
    "مو", "ابد", "لا والله", "ماسافرت" ...; None when unsure or unclear."""
    if is_unsure(text):
        return None
    tokens = [t if t in _YES or t in _NO else _DOUBLES.sub(r"\1", t) for t in _tokens(text)]
    if not tokens:
        return None
    first = tokens[0]
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
