"""Normalisation shared by every reader: digits, separators, stretched letters, tokens."""

from __future__ import annotations

import re
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from bot.nlu.arabic import fold_letters, to_ascii_digits

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
# "don't", "I’m": an apostrophe inside an English word joins it ("dont", "im").
_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019](?=[a-z])")


def clean(text: str) -> str:
    """Letters folded (أ→ا, ى→ي, ة→ه), digits ASCII, Latin lower-cased, apostrophes
    inside English words dropped ("don't" → "dont"), thousands separators dropped, digits
    split from words ("5k" → "5 k")."""
    text = _APOSTROPHE.sub("", fold_letters(to_ascii_digits(text or "")).lower())
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
# Replies that correct themselves: "٣ لا قصدي ٥", "اربعة.. لا خمسة"
# ---------------------------------------------------------------------------

_CORRECTIONS = frozenset(
    _fold_all(
        [
            "قصدي",
            "اقصد",
            "أقصد",
            "قصدت",
            "عفوا",
            "عفواً",
            "اسف",
            "آسف",
            "اسفه",
            "سوري",
            "sorry",
            "mean",  # "3 sorry I mean 5"
            "correction",
            "actually",
            "غلطت",
            "بالاصح",
            "الصحيح",
            "والصحيح",
            "تصحيح",
            "اعني",
            "أعني",
        ]
    )
)
_NO_WORDS = frozenset(_fold_all(["لا", "لاء", "لأ"]))


def _correction(
    tokens: Sequence[str], reads: Callable[[Sequence[str]], bool], on_no: bool = True
) -> Optional[Tuple[List[str], List[str]]]:
    """(what was said first, the correction) when the reply corrects itself, else None.

    People fix a slip in the same message: "٣ لا قصدي ٥", "٥٠٠٠ عفوا ٦٠٠٠", "اربعة..
    لا خمسة". After "قصدي", "عفوا", "غلطت" ... the rest is the answer, if it reads as
    one. A bare "لا" is a correction only between two parts that both read as answers
    (`on_no`), so "لا ما عندي" and "ولا واحد" stay what they are.
    """
    marks = [i for i, token in enumerate(tokens) if token in _CORRECTIONS]
    if marks:
        before, after = list(tokens[: marks[-1]]), list(tokens[marks[-1] + 1 :])
        if reads(after):
            while before and before[-1] in _NO_WORDS:
                before.pop()
            return before, after
        return None
    if on_no:
        for i in range(len(tokens) - 2, 0, -1):
            if tokens[i] in _NO_WORDS and reads(tokens[:i]) and reads(tokens[i + 1 :]):
                return list(tokens[:i]), list(tokens[i + 1 :])
    return None


def _corrected(tokens: Sequence[str], reads: Callable[[Sequence[str]], bool]) -> List[str]:
    """The tokens that count: the correction if the reply corrects itself, else all of
    them but the correction words."""
    found = _correction(tokens, reads)
    if found:
        return found[1]
    return [t for t in tokens if t not in _CORRECTIONS]
