"""Arabic text normalisation shared by the NLU pipeline, the channels and the parsers.

Citizens type the same word many ways: with or without hamza on the alef, ى for ي,
ة or ه at the end, tatweel for emphasis, the odd diacritic, and Arabic-Indic or
Persian digits. Folding those variants lets a few training examples cover what
people actually write. Letters that change meaning (ؤ ئ ء, ث ت, ذ د, ض ظ) are kept.
"""

from __future__ import annotations

import re
import unicodedata

_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TATWEEL = "\u0640"
# Harakat, tanween, shadda, sukun, superscript alef and Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_PUNCT = "؟،؛«»"
_PUNCT_SPLIT = re.compile(r"([؟،؛«»?!.,;:()\[\]{}\"'…])")
_SPACES = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to 0-9; everything else untouched."""
    return text.translate(_DIGITS)


def fold_letters(text: str) -> str:
    """Fold spelling variants: alef forms → ا, ى → ي, final ة → ه, drop tatweel/diacritics."""
    text = unicodedata.normalize("NFKC", text) if _needs_nfkc(text) else text
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace(_TATWEEL, "")
    text = _DIACRITICS.sub("", text)
    text = text.translate(_ALEF)
    text = text.replace("ى", "ي").replace("ة", "ه")
    return text


def _needs_nfkc(text: str) -> bool:
    # Presentation forms (ﻻ, ﷲ ...) come from some keyboards and PDFs; NFKC maps
    # them to plain letters. Skipping NFKC otherwise keeps digits like ² intact.
    return any("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


def split_punctuation(text: str) -> str:
    """Put spaces around punctuation (Arabic ؟ ، ؛ and Latin) so it never sticks to a word."""
    return _SPACES.sub(" ", _PUNCT_SPLIT.sub(r" \1 ", text)).strip()


def normalize(text: str) -> str:
    """The full normalisation used for matching: letters folded, digits ASCII,
    punctuation split off, whitespace collapsed, Latin lower-cased."""
    if not text:
        return ""
    text = fold_letters(to_ascii_digits(text))
    return split_punctuation(text).lower()


def is_arabic_punctuation(ch: str) -> bool:
    return ch in _ARABIC_PUNCT
