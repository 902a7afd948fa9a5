"""English typed the way people chat, read as the words it means: "wat r the condtions 4
citizn acount" → "what are the conditions 4 citizen account".

Why: the classifiers read lemmas, and an English message written in chat shorthand or
with a letter missing shares few of them with the training examples, so it fell back
("did you mean") where the same question spelled right is answered. Two steps, both
on a known list (bot.nlu.english_words, the program's own vocabulary included):

- chat shorthand, by hand ("u", "r", "pls", "acc"): too short to guess;
- a word of five letters or more that is not a known word nor a known word's
  inflection: the known word one typing slip away (a letter missed, doubled, swapped
  with the next, or mistyped), the likeliest slip first; left as typed when none is.

Used by the tokenizer (`english_spelling: true`) on messages bot.nlu.script calls
English, for training examples and live messages alike.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Set

from rasa.shared.nlu.constants import TEXT

from bot.nlu.english_words import ENGLISH_WORDS, is_english

# Shorthand a chat writer uses; numbers ("4", "2") are left: "4 kids" is a count.
SHORTHAND = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "wat": "what",
    "wht": "what",
    "wut": "what",
    "whr": "where",
    "hw": "how",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "abt": "about",
    "bc": "because",
    "coz": "because",
    "cuz": "because",
    "b4": "before",
    "acc": "account",
    "acct": "account",
    "msg": "message",
    "govt": "government",
    "n": "and",
    "wanna": "want",
    "gonna": "going",
    "dunno": "know",
}
MIN_LENGTH = 5
# The message's text with the words meant, kept on the message for what reads text rather
# than lemmas (the sentence encoder: bot.nlu.linear_model).
SPELLED_TEXT = "spelled_text"


def _deletes(word: str) -> Set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _index() -> Dict[str, List[str]]:
    """A known word and each of its one-letter deletions → the known words."""
    index: Dict[str, List[str]] = {}
    for word in sorted(ENGLISH_WORDS):
        if len(word) >= MIN_LENGTH - 1 and word.isalpha():
            for key in {word} | _deletes(word):
                index.setdefault(key, []).append(word)
    return index


def _slip(typed: str, known: str) -> Optional[int]:
    """How likely a typing slip turns `known` into `typed` (0 likeliest), or None when
    it takes more than one: a letter missed, then one doubled or added, two swapped,
    one mistyped."""
    if len(typed) == len(known) - 1 and typed in _deletes(known):
        return 0
    if len(typed) == len(known) + 1 and known in _deletes(typed):
        return 1
    if len(typed) == len(known):
        diff = [i for i, (a, b) in enumerate(zip(typed, known)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            if typed[i] == known[i + 1] and typed[i + 1] == known[i]:
                return 2
        if len(diff) == 1:
            return 3
    return None


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The word meant by `word` (lower case), or `word` itself."""
    lower = word.lower()
    if lower in SHORTHAND:
        return SHORTHAND[lower]
    if len(lower) < MIN_LENGTH or not lower.isalpha() or is_english(lower):
        return word
    index = _index()
    found = {known for key in {lower} | _deletes(lower) for known in index.get(key, ())}
    ranked = sorted((slip, known) for known in found if (slip := _slip(lower, known)) is not None)
    return ranked[0][1] if ranked else word


def correct_words(words: List[str]) -> List[str]:
    return [correct(word) for word in words]


def respelled(text: str, matches: Sequence, words: Sequence[str]) -> str:
    """`text` with each matched word replaced by the word meant (`words`, in order)."""
    out, at = [], 0
    for match, word in zip(matches, words):
        out.append(text[at : match.start()])
        out.append(word)
        at = match.end()
    return "".join(out) + text[at:]


def text_for_encoder(message) -> str:
    """What the sentence encoder reads of a message: its text, with the words meant."""
    return message.get(SPELLED_TEXT) or message.get(TEXT) or ""
