"""Held-out data stays held out: no message of the NLU test sets (tests/data/nlu_heldout.yml,
tests/data/nlu_fresh.yml) is in the training data or in a hand-written word list of the
NLU, so their accuracy measures phrasings the assistant has never seen.

Messages are compared as the NLU compares them (bot.nlu.arabic.normalize, entity
annotations dropped). The training data is every `nlu:` section under bot/data, review
exports (bot/data/reviewed/) included. A word list may hold a phrase that a test message
contains only when the training data uses that phrase too: a phrase that only the test
sets use is one written from the test sets' misses.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import yaml

from bot.nlu import dialect, message_shapes
from bot.nlu.arabic import normalize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bot" / "data"
TEST_SETS = [ROOT / "tests" / "data" / "nlu_heldout.yml", ROOT / "tests" / "data" / "nlu_fresh.yml"]
# The outside benchmark (bench/nlu_compare.py): ../shared beside the clone or its worktrees.
ARBANKING = [
    p / "shared" / "benchmarks" / "arbanking77"
    for p in (ROOT.parent, ROOT.parents[1])
    if (p / "shared" / "benchmarks" / "arbanking77").is_dir()
]
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def comparable(text: str) -> str:
    plain = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text)
    return " ".join(normalize(plain).split())


def nlu_examples(path: Path) -> Iterator[Tuple[str, str]]:
    """(intent, example) of every NLU example in a Rasa YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for item in doc.get("nlu") or []:
        if not isinstance(item, dict) or "examples" not in item:
            continue
        for line in str(item["examples"]).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield item.get("intent") or item.get("synonym") or "", line[2:].strip()


def training_files() -> List[Path]:
    return [p for p in sorted(DATA.rglob("*.yml")) if list(nlu_examples(p))]


def training() -> Dict[str, str]:
    """Comparable text -> where it is, for every training example."""
    found: Dict[str, str] = {}
    for path in training_files():
        for intent, text in nlu_examples(path):
            found.setdefault(comparable(text), f"{path.relative_to(ROOT)} ({intent})")
    return found


def held_out_messages() -> List[Tuple[str, str, str]]:
    """(file, intent, comparable text) of every message of the NLU test sets."""
    return [
        (path.name, intent, comparable(text))
        for path in TEST_SETS
        for intent, text in nlu_examples(path)
    ]


def spans(text: str) -> Iterator[str]:
    words = text.split()
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            yield " ".join(words[start:end])


def used_in(phrase: str, texts: List[str]) -> bool:
    return any(f" {phrase} " in f" {text} " for text in texts)


def test_the_checks_see_the_data():
    assert DATA / "core" / "nlu.yml" in training_files()
    assert len(training()) > 1000 and len(held_out_messages()) > 700


def test_no_test_message_is_a_training_example():
    examples = training()
    copied = [
        f"{name} {intent}: {text!r} is in {examples[text]}"
        for name, intent, text in held_out_messages()
        if text in examples
    ]
    assert not copied, "\n".join(copied)


# Greetings, thanks and fillers that bot.nlu.message_shapes takes off a message.
# A formula of the language itself needs no training example: the full Islamic greeting.
STANDARD_FORMULAS = {"السلام عليكم ورحمه الله وبركاته"}
COURTESY = re.compile(
    rf"{message_shapes._GREETING}|{message_shapes._THANKS}|{message_shapes._FILLER}"
    r"|الله يحفظك|الله يسعدك"
)


def test_every_courtesy_phrase_of_a_test_message_is_one_the_training_data_uses():
    train = list(training())
    unsupported = sorted(
        {
            f"{phrase!r} ({name})"
            for name, _, text in held_out_messages()
            for phrase in spans(text)
            if COURTESY.fullmatch(phrase)
            and phrase not in STANDARD_FORMULAS
            and not used_in(phrase, train)
        }
    )
    assert not unsupported, "courtesy phrases only the test sets use: " + ", ".join(unsupported)


def outside_test_texts() -> List[str]:
    """The outside benchmark's Saudi test questions, when ../shared is there."""
    if not ARBANKING:
        return []
    with open(ARBANKING[0] / "test_saudi.csv", encoding="utf-8", newline="") as f:
        return [comparable(row["text"]) for row in csv.DictReader(f)]


def fold_forms(word: str) -> List[str]:
    """The spellings fold_dialect rewrites for a lexicon word: bare, after و/ف, with ال."""
    forms = [word, "و" + word, "ف" + word]
    return forms + ([] if word.startswith("ال") else ["ال" + word])


@pytest.mark.parametrize("sets", ["held-out and fresh", "outside benchmark"])
def test_every_topic_word_fold_of_a_test_text_is_a_word_the_training_data_uses(sets):
    """Closed-class words (question words, want, can, negation ...) are folded because the
    dialects are written that way; a topic word (money, card ...) is folded only if the
    assistant's own training data uses it, never because a test set does."""
    texts = (
        [text for _, _, text in held_out_messages()]
        if sets == "held-out and fresh"
        else outside_test_texts()
    )
    if not texts:
        pytest.skip("../shared/benchmarks/arbanking77 is not beside this clone")
    train = list(training())
    unsupported = sorted(
        f"{variant!r} -> {canonical!r}"
        for canonical, variants in dialect.TOPIC_WORDS.items()
        for variant in variants
        if any(used_in(form, texts) for form in fold_forms(variant))
        and not any(used_in(form, train) for form in fold_forms(variant))
    )
    assert not unsupported, "topic-word folds only the test texts use: " + ", ".join(unsupported)


def test_every_fold_word_of_a_held_out_message_is_a_word_the_training_data_uses():
    """Closed-class words included: a held-out message's word in the lexicon must be one
    the training data also writes."""
    texts = [text for _, _, text in held_out_messages()]
    train = list(training())
    unsupported = sorted(
        f"{variant!r} -> {canonical!r}"
        for variant, canonical in dialect.DIALECT_FOLD.items()
        if any(used_in(form, texts) for form in fold_forms(variant))
        and not any(used_in(form, train) for form in fold_forms(variant))
    )
    assert not unsupported, "folds only the held-out messages use: " + ", ".join(unsupported)


DIALOGUES = ROOT / "tests" / "data" / "heldout"
# Short formulas the training data had before these sets were written, by someone who had
# not seen it: the same words, not a copy (a greeting, "certainly", "five"). Any other
# overlap is a copy and fails; never add to this list, remove the training example.
COMMON_BEFORE = {
    "هلا والله",
    "الله يعطيك العافيه",
    "hello",
    "خمسه",
    "ما عندي دخل",
    "اكيد",
    "لا ما عندي",
    "لا مو كذا",
}


def dialogue_messages() -> List[Tuple[str, str]]:
    """(file, comparable text) of every message of the conversation test sets
    (tests/data/heldout/: conversations' turns, English, Arabizi, long stories, form answers)."""
    found = []
    for path in sorted(DIALOGUES.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = [
            *(doc.get("messages") or []),
            *(doc.get("stories") or []),
            *(doc.get("answers") or []),
        ]
        items += [t for c in doc.get("conversations") or [] for t in c["turns"]]
        found += [(path.name, comparable(item["text"])) for item in items]
    return found


def test_no_conversation_test_message_is_a_training_example():
    seen = training()
    messages = dialogue_messages()
    assert len(messages) > 200
    copied = [
        f"{name}: {text} = {seen[text]}"
        for name, text in messages
        if text in seen and text not in COMMON_BEFORE
    ]
    assert copied == []
