"""Numbers in digits (any script) or in words, MSA and Gulf dialect, or English:
parse_number()."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from bot.services.parsing.text import _any_phrase, _corrected, _fold_all, _tokens, clean

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
_TENS = "tens"  # "twenty" in English: a unit may follow without "and" ("twenty five")

_WORDS: Dict[str, Tuple[str, float]] = {}
# English articles say no number: "a month and a half", "seven thousand and a half".
ARTICLES = ("a", "an")


def _add(kind: str, value: float, *spellings: str) -> None:
    for spelling in spellings:
        _WORDS[clean(spelling)] = (kind, value)


_add(_NUM, 0, "صفر", "zero")
_add(_NUM, 1, "واحد", "واحدة", "وحدة", "احدى", "one")
_add(_NUM, 2, "اثنين", "اثنان", "اثنتين", "اثنتان", "ثنين", "ثنتين", "اتنين", "اثنينن", "اثنا")
_add(_NUM, 2, "two")
_add(_NUM, 3, "ثلاث", "ثلاثة", "تلات", "تلاتة", "ثلاثه", "three")
_add(_NUM, 4, "اربع", "أربعة", "اربعه", "four")
_add(_NUM, 5, "خمس", "خمسة", "five")
_add(_NUM, 6, "ست", "ستة", "six")
_add(_NUM, 7, "سبع", "سبعة", "seven")
_add(_NUM, 8, "ثمان", "ثماني", "ثمانية", "ثمنية", "تمانية", "eight")
_add(_NUM, 9, "تسع", "تسعة", "nine")
_add(_NUM, 10, "عشر", "عشرة", "ten")
_add(_NUM, 11, "eleven")
_add(_NUM, 12, "twelve")
_add(_NUM, 13, "thirteen")
_add(_NUM, 14, "fourteen")
_add(_NUM, 15, "fifteen")
_add(_NUM, 16, "sixteen")
_add(_NUM, 17, "seventeen")
_add(_NUM, 18, "eighteen")
_add(_NUM, 19, "nineteen")
_add(_NUM, 11, "احدعش", "حدعش", "احدعشر")
_add(_NUM, 12, "اثنعش", "اطنعش", "اثنعشر", "طنعش")
_add(_NUM, 13, "ثلطعش", "ثلاثطعش", "ثلتعش", "تلتاشر")
_add(_NUM, 14, "اربعطعش", "اربعتعش", "اربعتاشر")
_add(_NUM, 15, "خمسطعش", "خمستعش", "خمستاشر")
_add(_NUM, 16, "ستطعش", "سطعش", "ستعش", "ستاشر")
_add(_NUM, 17, "سبعطعش", "سبعتعش", "سبعتاشر")
_add(_NUM, 18, "ثمنطعش", "ثمانطعش", "ثمنتعش", "تمنتاشر")
_add(_NUM, 19, "تسعطعش", "تسعتعش", "تسعتاشر")
_add(_NUM, 20, "عشرين", "عشرون")
_add(_TENS, 20, "twenty")
_add(_NUM, 30, "ثلاثين", "ثلاثون", "تلاتين")
_add(_TENS, 30, "thirty")
_add(_NUM, 40, "اربعين", "أربعون")
_add(_TENS, 40, "forty")
_add(_NUM, 50, "خمسين", "خمسون")
_add(_TENS, 50, "fifty")
_add(_NUM, 60, "ستين", "ستون")
_add(_TENS, 60, "sixty")
_add(_NUM, 70, "سبعين", "سبعون")
_add(_TENS, 70, "seventy")
_add(_NUM, 80, "ثمانين", "ثمانون", "تمانين")
_add(_TENS, 80, "eighty")
_add(_NUM, 90, "تسعين", "تسعون")
_add(_TENS, 90, "ninety")
_add(_HUNDRED, 100, "مية", "مئة", "مائة", "ماية", "hundred", "hundreds")
_add(_NUM, 200, "ميتين", "مئتين", "مئتان", "مائتين", "مائتان", "ميتان")
_add(_NUM, 300, "ثلاثمية", "ثلاثمئة", "ثلاثمائة", "ثلثمية", "تلتمية", "ثلاثميت")
_add(_NUM, 400, "اربعمية", "أربعمئة", "أربعمائة")
_add(_NUM, 500, "خمسمية", "خمسمئة", "خمسمائة")
_add(_NUM, 600, "ستمية", "ستمئة", "ستمائة")
_add(_NUM, 700, "سبعمية", "سبعمئة", "سبعمائة")
_add(_NUM, 800, "ثمانمية", "ثمانمئة", "ثمانمائة", "ثمنمية", "تمنمية", "تمانمية", "ثمنمئة")
_add(_NUM, 900, "تسعمية", "تسعمئة", "تسعمائة")
_add(_SCALE, 1000, "الف", "آلاف", "الوف", "k", "thousand", "الاف", "تالاف", "تلاف", "تلاف")
_add(_SCALE, 1000, "thousands")
_add(_DUAL, 1000, "الفين", "ألفان", "الفان")
_add(_SCALE, 1_000_000, "مليون", "ملايين", "million", "millions")
_add(_DUAL, 1_000_000, "مليونين", "مليونان")
_add(_HALF, 0.5, "نص", "نصف", "half")
_add(_HALF, 0.25, "ربع", "quarter")
_add(_NEG, -1, "سالب", "minus", "negative")
_add(_AND, 0, "and")  # "two thousand and five hundred", like "و"


# "خمستالاف", "سبعتلاف": a unit and "thousands" written as one word, as said.
_GLUED_THOUSANDS = ("تالاف", "تلاف", "الاف")


def _word(token: str) -> List[Tuple[str, float]]:
    if token in _WORDS:
        return [_WORDS[token]]
    for suffix in _GLUED_THOUSANDS:
        unit = _WORDS.get(token[: -len(suffix)]) if token.endswith(suffix) else None
        if unit is not None and unit[0] == _NUM and 3 <= unit[1] <= 10:
            return [unit, (_SCALE, 1000)]
    return []


def _classify(token: str) -> List[Tuple[str, float]]:
    """A token as number items; [] for an ordinary word. "وخمسين" → and + 50; "بالف",
    "بخمسة": the preposition of a price ("راتبي بالفين") glued to the number."""
    if token[0].isdigit() or token[0] == "-":
        return [(_NUM, float(token.replace(" ", "")))]
    found = _word(token)
    if found:
        return found
    if token == "و":
        return [(_AND, 0)]
    if token.startswith("و") and len(token) > 2:
        found = _word(token[1:])
        if found:
            return [(_AND, 0), *found]
    if token.startswith("ب") and len(token) > 3:
        return _word(token[1:])
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
        if kind in (_NUM, _TENS):
            teen = value == 10 and last_kind == _NUM and 0 < current < 10  # "خمسة عشر"
            after_tens = last_kind == _TENS and 0 < value < 10  # "twenty five"
            if seen and last_kind in (_NUM, _TENS) and not joined and not teen and not after_tens:
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
        elif run and token in ARTICLES and run[-1][0] == _AND:
            continue  # "seven thousand and a half"
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    # A run made only of "و" / "سالب" carries no number.
    return [
        r for r in runs if any(k in (_NUM, _TENS, _HUNDRED, _SCALE, _DUAL, _HALF) for k, _ in r)
    ]


def parse_number(text: str) -> Optional[float]:
    """The one number in the text, in digits (any script) or words, else None.

    "٥٠٠٠ ريال" → 5000, "5,000" → 5000, "5k" / "5 الاف" / "خمسة آلاف" → 5000,
    "الف ونص" → 1500, "-300" → -300. Two separate numbers ("3 عيال و 2 بنات") are
    ambiguous and give None, so the question is asked again. A reply that corrects
    itself counts as corrected: "٣ لا قصدي ٥" / "اربعة.. لا خمسة" → 5.
    """
    return _number_in(_corrected(_tokens(text), _reads_number))


def _number_in(tokens: Sequence[str]) -> Optional[float]:
    if _any_phrase(tokens, _NONE_OF_ONE):
        return 0.0  # "ولا واحد" is none, not one
    runs = _number_runs(tokens)
    if len(runs) != 1:
        return None
    return _evaluate(runs[0])


def _reads_number(tokens: Sequence[str]) -> bool:
    return _number_in(tokens) is not None


_NONE_OF_ONE = _fold_all(["ولا واحد", "ولا واحده", "ولا وحده", "ولا ولد"])
