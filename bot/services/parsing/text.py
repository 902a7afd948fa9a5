"""Normalisation shared by every reader: digits, separators, stretched letters, tokens."""

from __future__ import annotations

import re
from typing import Iterable, List, Sequence, Tuple

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
