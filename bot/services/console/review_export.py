"""Which of the supervisors' labels become NLU training data: every message labelled with
an intent or FAQ answer (and "out of scope" as the out_of_scope intent), with every
national ID, mobile, IBAN and ticket number removed (masked numbers, digit runs of six or
more, SA… IBANs); examples that already exist anywhere in bot/data (compared after
bot.nlu.arabic.normalize, entity annotations dropped) left out, as are messages of the NLU
test sets (tests/data/nlu_heldout.yml, nlu_fresh.yml: they stay held out), duplicates
among the labels and texts labelled with two different intents.

Used by the console's "add reviewed examples" (bot/services/training/changes.py) and by
`make review-export` (bot/services/training/export.py), which trains and scores them the
way the console's retrain does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Collection, Dict, Iterable, List, Optional, Set, Tuple

import yaml

from bot.masking import mask_text
from bot.nlu.arabic import normalize, to_ascii_digits
from bot.store import review as store

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "bot" / "data"
DEFAULT_OUT = DATA / "reviewed" / "nlu.yml"
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
FRESH = ROOT / "tests" / "data" / "nlu_fresh.yml"

_NUMBERS = re.compile(r"SA\s?\d{2}[\d\s]{10,30}|\+?\d[\d•\s-]{4,}\d|\S*•\S*|\d{6,}", re.IGNORECASE)
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def scrub(text: str) -> str:
    """The text with every personal or ticket number taken out: masked first the way the
    transcripts are (any form the parsers accept: split by dots or slashes, glued to
    letters, other digit scripts), then every masked or long number removed."""
    text = _NUMBERS.sub(" ", to_ascii_digits(mask_text(text or "")))
    return re.sub(r"\s+", " ", text).strip(" ،,.-")


def example_key(text: str) -> str:
    """How a message is compared with the training examples: annotations dropped, normalised
    as the NLU sees it, whitespace collapsed."""
    plain = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text)
    return " ".join(normalize(plain).split())


def existing_examples(data_dir: Path = DATA, skip: Optional[Path] = None) -> Dict[str, str]:
    """Normalised text -> intent of every NLU example under data_dir."""
    paths = [
        p for p in sorted(data_dir.rglob("*.yml")) if skip is None or p.resolve() != skip.resolve()
    ]
    return dict(_examples_by_key(tuple(_signature(p) for p in paths)))


def test_set_keys(paths: Iterable[Path] = (HELDOUT, FRESH)) -> Set[str]:
    """The compared form (example_key) of every message of the NLU test sets."""
    return set(_test_keys(tuple(_signature(p) for p in paths if p.exists())))


def existing_examples_of(path: Path) -> List[str]:
    return [text for _, text in _examples_of(_signature(path))]


# The console's checks read the whole training data and both test sets for every phrasing
# an editor checks (about 0.2 s): parsed once per version of the files instead, a file
# being known by its path, size and modification time.
Signature = Tuple[str, int, int]


def _signature(path: Path) -> Signature:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=64)
def _examples_of(signature: Signature) -> Tuple[Tuple[str, str], ...]:
    """(intent, example text) of one NLU file, in order."""
    doc = yaml.safe_load(Path(signature[0]).read_text(encoding="utf-8")) or {}
    return tuple(
        (item["intent"], line.strip()[2:])
        for item in doc.get("nlu") or []
        if isinstance(item, dict) and "intent" in item
        for line in str(item.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    )


@lru_cache(maxsize=8)
def _examples_by_key(signatures: Tuple[Signature, ...]) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for signature in signatures:
        for intent, text in _examples_of(signature):
            found.setdefault(example_key(text), intent)
    return found


@lru_cache(maxsize=8)
def _test_keys(signatures: Tuple[Signature, ...]) -> frozenset:
    return frozenset(example_key(text) for s in signatures for _, text in _examples_of(s))


def collect(
    labels: Iterable[Dict], existing: Dict[str, str], held_out: Collection[str] = ()
) -> Tuple[Dict[str, List[str]], Dict[str, int]]:
    """(intent -> new examples, counts of what was left out and why). Texts whose key is
    in `held_out` (test_set_keys) are never exported."""
    chosen: Dict[str, Tuple[str, str]] = {}  # key -> (intent, text)
    conflicts, skipped = set(), {"already_in_training_data": 0, "empty": 0, "conflicting": 0}
    skipped["in_a_test_set"] = 0
    for label in labels:
        intent = label["intent"] if label["label"] == "intent" else "out_of_scope"
        text = scrub(label["text"])
        key = example_key(text)
        if len(key) < 2:
            skipped["empty"] += 1
            continue
        if key in existing:
            skipped["already_in_training_data"] += 1
            continue
        if key in held_out:
            skipped["in_a_test_set"] += 1
            continue
        if key in chosen and chosen[key][0] != intent:
            conflicts.add(key)
        chosen.setdefault(key, (intent, text))
    out: Dict[str, List[str]] = {}
    for key, (intent, text) in chosen.items():
        if key in conflicts:
            skipped["conflicting"] += 1
            continue
        out.setdefault(intent, []).append(text)
    return {k: sorted(v) for k, v in sorted(out.items())}, skipped


def sources(labels: Iterable[Dict], examples: Dict[str, List[str]]) -> Dict[str, List[int]]:
    """Chosen example text -> the review turns (bot_turns ids) it was taken from, so an
    erasure or the retention purge finds it again (bot/services/privacy/training_data.py)."""
    chosen = {example_key(t) for texts in examples.values() for t in texts}
    found: Dict[str, Set[int]] = {}
    by_key = {example_key(t): t for texts in examples.values() for t in texts}
    for label in labels:
        key = example_key(scrub(label["text"]))
        if key in chosen:
            found.setdefault(by_key[key], set()).add(int(label["turn_id"]))
    return {text: sorted(ids) for text, ids in sorted(found.items())}


def render(examples: Dict[str, List[str]]) -> str:
    lines = [
        'version: "3.1"',
        "",
        "# Written by `make review-export` from the supervisors' review labels (numbers",
        "# removed, examples already in bot/data left out). Review the diff before committing.",
        "",
        "nlu:" if examples else "nlu: []",
    ]
    for intent, texts in examples.items():
        lines.append(f"  - intent: {intent}")
        lines.append("    examples: |")
        lines.extend(f"      - {t}" for t in texts)
    return "\n".join(lines) + "\n"


def labelled() -> List[Dict]:
    return [r for r in store.all_labels() if r["label"] in ("intent", "out_of_scope")]
