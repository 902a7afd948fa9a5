"""Light, dialect-aware stemming of Arabic clitics for the NLU lemma.

Only affixes that attach to almost any word are stripped (conjunctions و/ف,
prepositions ب/ل/ك, the article ال, and attached pronouns). The stem must keep at
least three letters, so short roots such as "بنك" or "كلمه" are never mangled.
Input is expected to be already normalised (bot.nlu.arabic.normalize).
"""
from __future__ import annotations

_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل")
_SUFFIXES = ("كم", "كن", "هم", "هن", "ها", "نا", "ني", "ك", "ه", "ي")
_MIN_STEM = 3


def light_stem(word: str) -> str:
    if not word or not word[0].isalpha() or word.isascii():
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    return word
