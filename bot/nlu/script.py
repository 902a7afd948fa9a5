"""Which language a message is written in: Arabic script, Arabizi, or English.

Citizens write Arabic script, Arabizi (Arabic in Latin letters, with digits for the
letters Latin lacks: "ab8a a3rf 7alat e3tradi"), or English ("how do I change my
IBAN"). The NLU transliterates Arabizi before it reads it (bot.nlu.arabizi) and must
leave English alone; a reply can be chosen by the same answer.

How it decides, word by word over the Latin words of a message without Arabic script:
- a word with a digit standing for a letter ("7sab", "e3tradi", "a3'ayer") is strong
  Arabizi evidence (2), unless it reads as English: a number with a unit ("9pm",
  "7yo", "5g"), a code ("sa0380", "win10"), or chat shorthand ("2day", "gr8");
- a word of the Arabizi lexicon (bot.nlu.arabizi_lexicon: "wesh", "shroot",
  "almowaten") that is not English counts 1 for Arabizi;
- an English word (bot.nlu.english_words) that is not an Arabizi spelling counts 1 for
  English; a word that is both ("fee" في, "we" و, "bank") or neither counts for none.
Arabizi wins only with more evidence than English, so a message of unknown words, an
English sentence naming an Arabic thing ("update my iqama details") or a tie stays
English. Any Arabic letter makes the message Arabic: Latin words among Arabic ones
are loanwords ("نسيت password"), and whoever types Arabic script reads it. A message
with no letters at all (digits, emoji) is the assistant's own language, Arabic.
"""

from __future__ import annotations

import re
from typing import Literal

import regex

from bot.nlu.arabizi_lexicon import SPELLINGS, is_listed
from bot.nlu.english_words import is_english

Language = Literal["ar", "arabizi", "en"]
ARABIC: Language = "ar"
ARABIZI: Language = "arabizi"
ENGLISH: Language = "en"

# Arabic letters, with the presentation forms some keyboards send.
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile("[A-Za-z]")
# A word: letters and digits, keeping the apostrophe of 3' 7' 6' 9' (غ خ ظ ض) inside it.
WORD = regex.compile(r"(?:[^\W_]|(?<=[3679])['’])+")
_LETTER_DIGIT = re.compile("[2356789]")
# Three digits running, or two different ones: a number or a code ("sa0380", "win10"),
# not letters; a doubled letter digit is a doubled letter ("at7a88a8" اتحقق).
_IDENTIFIER = re.compile(r"\d{3,}|(\d)(?!\1)\d")
_NUMBER_UNIT = re.compile(
    r"\d+(?:st|nd|rd|th|am|pm|k|m|km|kg|g|gb|mb|kb|tb|cm|mm|ml|l|x|s|h|hr|hrs|min|mins"
    r"|sec|secs|d|day|days|y|yr|yrs|yo|year|years|mo|mos|month|months|w|wk|wks|week"
    r"|weeks|sr|sar|rs|usd|p|px|times)"
)
# English chat shorthand and product names with a digit that Arabizi uses for a letter.
_SHORTHAND = frozenset(
    "2day 2moro 2morrow 2nite 2night 2gether 2u me2 u2 2go g2g gr8 l8 l8r m8 h8 w8 sk8 "
    "str8 mp3 h2o co2 b2b b2c p2p 3d 2d 5g 3g 2g 2fa a3 a5 b5 ps5 ps3 s7 s8 s9".split()
)


def has_arabic(text: str) -> bool:
    return bool(_ARABIC_LETTER.search(text or ""))


def identifier_like(word: str) -> bool:
    """Digits that read as a number or code inside a word, not as letters."""
    return bool(_IDENTIFIER.search(word))


def digit_letter_word(word: str) -> bool:
    """A Latin word with a digit standing for an Arabic letter ("7sab", "a3'ayer")."""
    word = word.lower()
    return (
        bool(_LATIN_LETTER.search(word))
        and bool(_LETTER_DIGIT.search(word))
        and not identifier_like(word)
        and not _NUMBER_UNIT.fullmatch(word)
        and word not in _SHORTHAND
    )


def word_evidence(word: str) -> tuple:
    """(Arabizi weight, English weight) of one Latin word; see the module docstring."""
    if digit_letter_word(word):
        return 2, 0
    lower = word.lower()
    if lower.isdigit() or not _LATIN_LETTER.search(lower):
        return 0, 0
    english = is_english(lower)
    if english:
        return (0, 0) if lower in SPELLINGS else (0, 1)
    return (1, 0) if is_listed(lower) else (0, 0)


def language_of(text: str) -> Language:
    """The language of a message: "ar" (Arabic script, or no letters), "arabizi" or "en"."""
    if not text or has_arabic(text):
        return ARABIC
    if not _LATIN_LETTER.search(text):
        return ARABIC
    arabizi = english = 0
    for word in WORD.findall(text):
        a, e = word_evidence(word)
        arabizi += a
        english += e
    return ARABIZI if arabizi > english else ENGLISH
