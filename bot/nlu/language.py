"""Which language to answer a message in: "ar", "en", or None when it does not say.

One function, `detect_language`, with no state: the NLU tags every message with it
(bot.nlu.language_tagger, which fills the `language` slot) and the channels ask it for
their own notices. Latin text is told apart word by word by the Arabizi step's evidence
(bot/nlu/script.py), so the reply language and the transliteration never disagree.

Arabic first: Arabic script wins unless Latin words clearly outnumber it, and Latin
text that looks like Arabizi (Arabic in Latin letters, with 3/7/5... standing for
ع/ح/خ, or common dialect words) is Arabic too, since those citizens read Arabic.
Text with no letters (a number, an emoji, a button payload) says nothing, and the
conversation keeps the language it had.
"""

from __future__ import annotations

import re
from typing import Optional

import regex

from bot.nlu.script import identifier_like, word_evidence

# Arabic letters (with their diacritics and tatweel); Arabic-Indic digits and ؟ ، are not
# words and say nothing.
_ARABIC_WORD = regex.compile(r"(?V1)(?:[\p{Arabic}&&\p{L}][\p{Mn}\u0640]*)+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9']*[A-Za-z][A-Za-z0-9']*")
# Addresses are not words of any language: an e-mail or a link inside an Arabic message
# must not make it English.
_ADDRESS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.I)


def detect_language(text: Optional[str]) -> Optional[str]:
    """The reply language of `text`: "ar", "en", or None for text with no letters, a
    button payload, or Latin text too short and plain to tell ("ok", "iban")."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    text = _ADDRESS.sub(" ", text)
    arabic = len(_ARABIC_WORD.findall(text))
    # An IBAN, a reference or a code is no word either (bot/nlu/script.py).
    latin = [w for w in _LATIN_WORD.findall(text) if not identifier_like(w)]
    if not arabic and not latin:
        return None
    if arabic >= len(latin):
        return "ar"
    # Arabizi or English, word by word, as the tokenizer's Arabizi step decides it
    # (bot/nlu/script.py): a digit standing for a letter, the Arabizi and English lexicons.
    arabizi = english = 0
    for word in latin:
        a, e = word_evidence(word)
        arabizi, english = arabizi + a, english + e
    if arabizi > english:
        return "ar"
    if english or len(latin) >= 3:
        return "en"
    # One or two unknown Latin words (a loanword, a name): keep the conversation's language.
    return "ar" if arabic else None
