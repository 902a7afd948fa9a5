"""Arabizi to Arabic script, word by word, for the NLU.

The classifier was trained on Arabic script, so an Arabizi message ("wesh shroot 7sab
almowaten") is read through its Arabic spelling (وش شروط حساب المواطن). Each word is
looked up, in this order, until one answers:
1. numbers, identifiers (two digits running) and English words stay as typed;
2. the hand lexicon (bot.nlu.arabizi_lexicon), as is or with a prefix (و ب ل ف, the
   article al-/el-/il-, an assimilated article: "essir") or a suffix (-i ي, -k ك,
   -ha ها, -na نا, -hom هم, -o ه) around a listed word;
3. the training data's own words (bot/nlu/arabizi_words.txt): the word with the same
   consonants, digits and digraphs read as letters ("tasjeel" -> تسجيل,
   "6ree8at" -> طريقه), the nearest in its letters and vowels, then the most frequent;
4. letter by letter: digits and digraphs as letters, long vowels (aa ee oo, and
   ai ay aw ow) written, short vowels dropped, a word-initial vowel as ا, a final
   -a ا, -e ه, -i ي, -o و, and a final -at as ة.
A lone article ("el iban") joins the next word (الايبان). The tokenizer
(bot.nlu.tokenizer) calls this only for messages bot.nlu.script calls Arabizi, at
training and at inference alike; the text itself is never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot.nlu.arabizi_lexicon import SPELLINGS, lookup
from bot.nlu.english_words import is_english
from bot.nlu.script import ARABIZI, WORD, digit_letter_word, identifier_like, language_of

WORDS_FILE = Path(__file__).with_name("arabizi_words.txt")

_LATIN = re.compile("[a-z]")
# Sounds: digit letters, digraphs, long vowels; a diphthong only before a consonant
# ("kaif" كيف, but "bayan" keeps y as a consonant).
_UNITS = re.compile(
    r"3'|7'|6'|9'|kh|sh|ch|gh|dh|th|ph|aa|ee|ii|oo|uu|ou|(?:ai|ay|ei|ey|aw|ow)(?![aeiou])|."
)
_CONSONANT = {
    "3'": "غ", "7'": "خ", "6'": "ظ", "9'": "ض", "kh": "خ", "sh": "ش", "ch": "ش",
    "gh": "غ", "dh": "ذ", "th": "ث", "ph": "ف", "2": "ء", "3": "ع", "5": "خ", "6": "ط",
    "7": "ح", "8": "ق", "9": "ص", "b": "ب", "p": "ب", "t": "ت", "j": "ج", "d": "د",
    "r": "ر", "z": "ز", "s": "س", "f": "ف", "v": "ف", "q": "ق", "g": "ق", "k": "ك",
    "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي", "x": "خ",
}  # fmt: skip
_LONG = {
    "aa": "ا", "ee": "ي", "ii": "ي", "ai": "ي", "ay": "ي", "ei": "ي", "ey": "ي",
    "oo": "و", "uu": "و", "ou": "و", "aw": "و", "ow": "و",
}  # fmt: skip
_FINAL = {"a": "ا", "e": "ه", "i": "ي", "o": "و", "u": "و"}
_VOWELS = "aeiou"

# Sound classes, shared by both scripts, to find a training word with the same
# consonants: emphatic and plain pairs merge (ط ت, ض د, ص س), and so do the Gulf's
# g, q, 8 and gh (ق غ). Vowels and semivowels are A (ا), Y (ي) and W (و). A Latin
# unit Gulf writers use for several letters has several classes, tried in turn: th
# is ث, ذ or ظ ("ya5ith" ياخذ), 9 is ص or ض ("a9eef" اضيف), 6 is ط or ظ, 6' ظ or ض.
_LATIN_CLASS = {
    "3'": "G", "gh": "G", "8": "G", "q": "G", "g": "G", "7'": "X", "kh": "X", "5": "X",
    "x": "X", "6'": "ZD", "z": "ZD", "9'": "D", "dh": "DZ", "d": "D", "sh": "$", "ch": "$",
    "th": "TDZ", "t": "T", "6": "TZ", "ph": "F", "f": "F", "v": "F", "3": "E", "7": "H",
    "h": "H", "9": "SD", "s": "S", "2": "", "b": "B", "p": "B", "j": "J", "r": "R",
    "k": "K", "c": "K", "l": "L", "m": "M", "n": "N", "w": "W", "y": "Y", "a": "A",
    "aa": "A", "e": "Y", "i": "Y", "ee": "Y", "ii": "Y", "ai": "Y", "ay": "Y", "ei": "Y",
    "ey": "Y", "o": "W", "u": "W", "oo": "W", "uu": "W", "ou": "W", "aw": "W", "ow": "W",
}  # fmt: skip
_ARABIC_CLASS = str.maketrans(
    "بتثجحخدذرزسشصضطظعغفقكلمنهةويىاءؤئأإآ",
    "BTTJHXDDRZS$SDTZEGFGKLMNHHWYAA\0WYAAA",
)
_SEMIVOWELS = re.compile("[AWY\0]")
_REPEAT = re.compile(r"(.)\1+")

_ARTICLES = {"al": "ال", "el": "ال", "il": "ال", "l": "ال"}
# A lone "l" before a word is mostly the preposition: "ta6bee8 l 7sab" تطبيق لحساب.
_LONE = {**{k: v for k, v in _ARTICLES.items() if k != "l"}, "l": "ل"}
# The article written as it sounds before a sun letter: "as salama", "ad da3m".
_LONE_ASSIMILATED = re.compile(r"[ae](sh|th|dh|[tdrzsn69])")
_JOINED_ARTICLES = {
    "wal": "وال", "wel": "وال", "wil": "وال", "bal": "بال", "bel": "بال", "bil": "بال",
    "lal": "لل", "lel": "لل", "lil": "لل", "fal": "فال", "fel": "فال", "fil": "فال",
}  # fmt: skip
_PREFIXES = (*_JOINED_ARTICLES.items(), *_ARTICLES.items(), ("w", "و"), ("b", "ب"), ("l", "ل"))
_SUFFIXES = (
    ("hom", "هم"), ("hum", "هم"), ("kom", "كم"), ("kum", "كم"), ("ha", "ها"),
    ("na", "نا"), ("ak", "ك"), ("ek", "ك"), ("ik", "ك"), ("ee", "ي"), ("i", "ي"),
    ("y", "ي"), ("k", "ك"), ("oh", "ه"), ("o", "ه"), ("u", "ه"),
)  # fmt: skip
_ASSIMILATED = re.compile(r"[aeiu](sh|th|dh|[tdrzsnl69])\1(.{2,})")


def _units(word: str) -> List[str]:
    return _UNITS.findall(word)


def _collapse(key: str) -> str:
    return _REPEAT.sub(r"\1", key)


# Readings tried for one word at most: three ambiguous units are plenty.
_MAX_KEYS = 8


def latin_keys(word: str) -> List[str]:
    """Sound classes of a Latin word, vowels included, one key per reading of its
    ambiguous units, the usual reading first: "tasjeel" -> [TASJYL]."""
    keys = [""]
    for i, unit in enumerate(_units(word)):
        # A word-initial vowel is written ا whatever it sounds like ("ersel" ارسل).
        options = "A" if i == 0 and unit in _VOWELS else _LATIN_CLASS.get(unit, "") or " "
        keys = [k + o for k in keys for o in options][:_MAX_KEYS]
    return list(dict.fromkeys(_collapse(k.replace(" ", "")) for k in keys))


def arabic_key(word: str) -> str:
    """Sound classes of an Arabic word: تسجيل -> TSJYL."""
    return _collapse(word.translate(_ARABIC_CLASS).replace("\0", ""))


def consonants(key: str) -> str:
    return _collapse(_SEMIVOWELS.sub("", key))


def _distance(latin: str, arabic: str) -> float:
    """Edit distance from a Latin sound key to an Arabic one where a Latin vowel that
    Arabic leaves unwritten (a short vowel) or writes as another vowel costs half."""
    previous = [0.0]
    for cb in arabic:
        previous.append(previous[-1] + 1)
    for ca in latin:
        drop = 0.5 if ca in "AWY" else 1.0
        current = [previous[0] + drop]
        for j, cb in enumerate(arabic, 1):
            change = 0.0 if ca == cb else 0.5 if ca in "AWY" and cb in "AWY" else 1.0
            current.append(min(previous[j] + drop, current[j - 1] + 1, previous[j - 1] + change))
        previous = current
    return previous[-1]


_Index = Dict[str, List[Tuple[str, str, int]]]


@lru_cache(maxsize=1)
def vocabulary() -> _Index:
    """Training words by consonant key: key -> [(word, sound key, count)]. A word
    ending in ه (ة) is also filed without it, as if it ended in a vowel: "7ala",
    "7alah" and "7alat" all mean حاله."""
    index: _Index = {}
    if not WORDS_FILE.exists():
        return index
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, count = line.partition("\t")
        key = arabic_key(word)
        sounds = {key}
        if word.endswith("ه"):
            sounds.add(_collapse(key[:-1] + "A"))
        for sound in sounds:
            index.setdefault(consonants(sound), []).append((word, sound, int(count or 1)))
    return index


def from_vocabulary(word: str) -> Optional[str]:
    """The training word sounding most like `word` (same consonants), if any."""
    keys = latin_keys(word)
    if re.search("[aei]t$", word):
        keys += [key[:-1] + "H" for key in keys if key.endswith("T")]
    best: Optional[Tuple[float, int, str]] = None
    for rank, key in enumerate(keys):
        loose = consonants(key)
        if len(loose) < 2:
            continue
        for arabic, sound, count in vocabulary().get(loose, ()):
            # A less usual reading of the word's letters costs a little.
            candidate = (_distance(key, sound) + 0.25 * (rank > 0), -count, arabic)
            if best is None or candidate < best:
                best = candidate
    if best is None or best[0] > max(2, len(keys[0]) // 2):
        return None
    return best[2]


def letters(word: str) -> str:
    """Letter-by-letter Arabic spelling of a Latin word (the last resort)."""
    ending = ""
    if len(word) >= 4 and re.search("[^aeiou][ae]t$", word):
        word, ending = word[:-2], "ة"
    units = _units(word)
    out: List[str] = []
    for i, unit in enumerate(units):
        first, last = i == 0, i == len(units) - 1 and not ending
        if unit in _LONG:
            out.append(("ا" if first else "") + _LONG[unit])
        elif unit in _VOWELS:
            if first:
                out.append("ا")
            elif last:
                out.append("ه" if unit == "a" and units[i - 1] in ("y", "i") else _FINAL[unit])
        elif unit == "2" and first:
            out.append("ا")
        elif unit in _CONSONANT:
            letter = _CONSONANT[unit]
            if not (out and out[-1] == letter and i > 0 and units[i - 1] not in _VOWELS):
                out.append(letter)
    return "".join(out) + ending


def _with_affixes(word: str, fuzzy: bool) -> Optional[str]:
    """A listed word inside a prefix and/or suffix: "7sabi" حسابي, "wel iban"."""
    match = _ASSIMILATED.fullmatch(word)
    if match:
        hit = lookup(match.group(1) + match.group(2), fuzzy)
        if hit:
            return _join("ال", hit)
    for latin, arabic in _PREFIXES:
        rest = word[len(latin) :]
        if word.startswith(latin) and len(rest) >= 4:
            hit = lookup(rest, fuzzy) or _suffixed(rest, arabic.endswith("ال"), fuzzy)
            if hit:
                return _join(arabic, hit)
    return _suffixed(word, False, fuzzy)


def _join(prefix: str, arabic: str) -> str:
    """A prefix before a word that may carry its own article: وال + الدعم = والدعم."""
    if arabic.startswith("ال") and prefix.endswith(("ال", "لل", "ل")):
        return (prefix if prefix.endswith(("ال", "لل")) else prefix + "ل") + arabic[2:]
    return prefix + arabic


def _suffixed(word: str, article: bool, fuzzy: bool) -> Optional[str]:
    if article:  # an article and a possessive do not go together ("el-7sabi")
        return None
    for latin, arabic in _SUFFIXES:
        stem = word[: -len(latin)]
        if word.endswith(latin) and len(stem) >= 3:
            hit = lookup(stem, fuzzy)
            if hit:
                return (hit[:-1] + "ت" if hit[-1] in "هة" else hit) + arabic
    return None


@lru_cache(maxsize=8192)
def transliterate_word(word: str) -> str:
    """Arabic for one Arabizi word; numbers, identifiers and English stay as typed."""
    lower = word.lower().replace("’", "'")
    if not _LATIN.search(lower) or identifier_like(lower):
        return word
    if is_english(lower) and lower not in SPELLINGS and not digit_letter_word(lower):
        return lower
    return (
        lookup(lower)
        or _with_affixes(lower, fuzzy=False)
        or from_vocabulary(lower)
        or lookup(lower, fuzzy=True)
        or _with_affixes(lower, fuzzy=True)
        or letters(lower.replace("'", ""))
        or lower
    )


def transliterate_words(words: Sequence[str]) -> List[str]:
    """Arabic for each word of an Arabizi message, in order. A lone article ("el",
    "wel") gives "" and is joined to the next word: ["el", "iban"] -> ["", "الايبان"]."""
    out: List[str] = []
    prefix = ""
    for i, word in enumerate(words):
        lower = word.lower()
        following = words[i + 1] if i + 1 < len(words) else ""
        article = _LONE.get(lower) or _JOINED_ARTICLES.get(lower)
        sun = _LONE_ASSIMILATED.fullmatch(lower)
        if sun and following.lower().startswith(sun.group(1)):
            article = "ال"
        if article and _LATIN.search(following.lower()):
            prefix = article
            out.append("")
            continue
        arabic = transliterate_word(word)
        if prefix:
            if not _LATIN.search(arabic):
                # The training data writes many words only with their article
                # (الدوام, العملاء): unless the word is listed, it is read with it.
                joined = ""
                if prefix == "ال" and lookup(lower) is None:
                    joined = transliterate_word("al" + lower)
                arabic = joined if joined.startswith("ال") else _join(prefix, arabic)
            else:
                out[-1] = prefix  # "el app": the article stays a word of its own
            prefix = ""
        out.append(arabic)
    return out


# "ad-daf3a", "as-sijil": an assimilated article written with a hyphen, as in
# transcriptions; read as the lone article ("ad daf3a") the next word joins.
_HYPHENATED_ARTICLE = re.compile(r"(?i)\b([aei](?:sh|th|dh|[dtsznrl]))-(?=[a-z0-9])")


def to_arabic(text: str) -> str:
    """The message in Arabic script if it is Arabizi; otherwise the text unchanged."""
    if language_of(text) != ARABIZI:
        return text
    text = _HYPHENATED_ARTICLE.sub(r"\1 ", text)
    matches = list(WORD.finditer(text))
    lemmas = iter(transliterate_words([m.group() for m in matches]))
    return " ".join(WORD.sub(lambda m: next(lemmas), text).split())
