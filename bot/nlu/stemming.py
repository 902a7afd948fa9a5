"""Light, dialect-aware stemming of Arabic clitics for the NLU lemma.

Only affixes that attach to almost any word are stripped: the article with its
prepositions and conjunctions (ال وال بال كال فال لل, and the Gulf/Levantine
demonstrative هال as in هالبطاقه) and attached pronouns
(ـها ـهم ـكم ـنا ـني ..., ـك ـي). One prefix and one suffix at most. When a
pronoun comes off a word whose ة had turned into ت (بطاقتي, حالتها), the ة comes
back as normalised ه, so بطاقتي, بطاقتها and البطاقه all give بطاقه.

A single letter is ambiguous: ب ل ك و ف ه ي begin or end many roots (بطاقه,
لازم, كلمه, وصول, واحد, فلوس, فاتوره, عربي). So one-letter prefixes are never
stripped (the conjunction و/ف only goes as part of وال/فال), and a one-letter
suffix (ك ي; not ه, which after normalisation is also the ة of a feminine noun)
only when four letters remain. Longer affixes need a stem of at
least three letters. Short words such as "بنك", "كلمه" or "وصول" are never touched.
Input is expected to be already normalised (bot.nlu.arabic.normalize).
"""

from __future__ import annotations

_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "هال", "لل", "ال")
_LONG_SUFFIXES = ("كما", "هما", "كم", "كن", "هم", "هن", "ها", "نا", "ني")
_SHORT_SUFFIXES = ("ك", "ي")
_MIN_STEM = 3
_MIN_STEM_SHORT_AFFIX = 4


def light_stem(word: str) -> str:
    if not word or not word[0].isalpha() or word.isascii():
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix) :]
            break
    for suffix in _LONG_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return _restore_ta_marbuta(word[: -len(suffix)])
    for suffix in _SHORT_SUFFIXES:
        if word.endswith(suffix) and len(word) - 1 >= _MIN_STEM_SHORT_AFFIX:
            return _restore_ta_marbuta(word[:-1])
    return word


def _restore_ta_marbuta(stem: str) -> str:
    # بطاقت(ي) → بطاقه; not the feminine plural ات (معلومات(ي) stays معلومات).
    if stem.endswith("ت") and not stem.endswith("ات") and len(stem) >= _MIN_STEM_SHORT_AFFIX:
        return stem[:-1] + "ه"
    return stem
