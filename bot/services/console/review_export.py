"""`make review-export`: supervisors' labels as Rasa NLU training data, and what a model
trained with them gets right.

    python -m bot.services.console.review_export [--out bot/data/reviewed/nlu.yml]
                                         [--baseline MODEL.tar.gz] [--no-train]

1. Every message labelled with an intent or FAQ answer (and "out of scope" as the
   out_of_scope intent) is taken, with every national ID, mobile, IBAN and ticket
   number removed (masked numbers, digit runs of six or more, SA… IBANs).
2. Examples that already exist anywhere in bot/data (compared after
   bot.nlu.arabic.normalize, entity annotations dropped) are left out, as are messages
   of the NLU test sets (tests/data/nlu_heldout.yml, nlu_fresh.yml: they stay held
   out), duplicates among the labels and texts labelled with two different intents.
3. The file is written (default bot/data/reviewed/nlu.yml). Nothing is committed and
   nothing retrains in production: a person reviews the diff and commits it.
4. Unless --no-train: an NLU model is trained on bot/data plus the new file (in a
   temporary copy) and scored on the reviewed messages and on tests/data/nlu_heldout.yml,
   next to the baseline (--baseline, else a model trained without the new file). The
   exit status is 1 if the held-out accuracy got worse.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Collection, Dict, Iterable, List, Optional, Set, Tuple

import yaml

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
    """The text with every personal or ticket number taken out."""
    text = _NUMBERS.sub(" ", to_ascii_digits(text or ""))
    return re.sub(r"\s+", " ", text).strip(" ،,.-")


def example_key(text: str) -> str:
    """How a message is compared with the training examples: annotations dropped, normalised
    as the NLU sees it, whitespace collapsed."""
    plain = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text)
    return " ".join(normalize(plain).split())


def existing_examples(data_dir: Path = DATA, skip: Optional[Path] = None) -> Dict[str, str]:
    """Normalised text -> intent of every NLU example under data_dir."""
    found: Dict[str, str] = {}
    for path in sorted(data_dir.rglob("*.yml")):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.setdefault(example_key(line[2:]), item["intent"])
    return found


def test_set_keys(paths: Iterable[Path] = (HELDOUT, FRESH)) -> Set[str]:
    """The compared form (example_key) of every message of the NLU test sets."""
    return {
        example_key(text) for path in paths if path.exists() for text in existing_examples_of(path)
    }


def existing_examples_of(path: Path) -> List[str]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        line.strip()[2:]
        for item in doc.get("nlu") or []
        if isinstance(item, dict)
        for line in str(item.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]


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


# -- training and scoring ---------------------------------------------------------------


def _train(data_dir: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "nlu", "--nlu", str(data_dir),
         "--domain", str(ROOT / "domain"), "--config", str(ROOT / "config.yml"),
         "--out", str(out), "--fixed-model-name", "m"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return out / "m.tar.gz"


def _label_of(parse: Dict) -> str:
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent == "faq":
        selector = (parse.get("response_selector") or {}).get("faq") or {}
        return (selector.get("response") or {}).get("intent_response_key") or intent
    return intent


def heldout() -> List[Tuple[str, str]]:
    doc = yaml.safe_load(HELDOUT.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in doc.get("nlu") or []:
        for line in str(item.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                pairs.append((line.strip()[2:], item["intent"]))
    return pairs


def accuracy(model: Path, pairs: List[Tuple[str, str]]) -> Optional[float]:
    if not pairs:
        return None
    import logging

    import structlog
    from rasa.core.agent import Agent

    # Rasa logs every parse at debug level; hundreds of them would bury the result.
    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))

    async def run() -> int:
        right = 0
        for text, gold in pairs:
            right += _label_of(await agent.parse_message(text)) == gold
        return right

    return round(asyncio.run(run()) / len(pairs), 4)


def evaluate(out_file: Path, baseline: Optional[Path]) -> Dict[str, Dict[str, Optional[float]]]:
    doc = yaml.safe_load(out_file.read_text(encoding="utf-8")) or {}
    reviewed = [
        (line.strip()[2:], item["intent"])
        for item in doc.get("nlu") or []
        for line in str(item.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]
    work = Path(tempfile.mkdtemp(prefix="review-export-"))
    try:
        data = work / "data"
        shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("reviewed"))
        if baseline is None:
            baseline = _train(data, work / "baseline")
        (data / "reviewed").mkdir()
        shutil.copy(out_file, data / "reviewed" / "nlu.yml")
        candidate = _train(data, work / "candidate")
        held = heldout()
        return {
            "baseline": {
                "reviewed": accuracy(baseline, reviewed),
                "heldout": accuracy(baseline, held),
            },
            "with_reviewed": {
                "reviewed": accuracy(candidate, reviewed),
                "heldout": accuracy(candidate, held),
            },
            "n": {"reviewed": len(reviewed), "heldout": len(held)},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="make review-export", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--baseline", type=Path, help="model to compare with (default: train one)")
    parser.add_argument("--no-train", action="store_true", help="write the file only")
    args = parser.parse_args(argv)

    existing = existing_examples(DATA, skip=args.out)
    examples, skipped = collect(labelled(), existing, test_set_keys())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(examples), encoding="utf-8")
    total = sum(len(v) for v in examples.values())
    print(f"wrote {total} examples for {len(examples)} intents to {args.out}")
    for reason, n in skipped.items():
        if n:
            print(f"  left out ({reason.replace('_', ' ')}): {n}")
    if args.no_train or not total:
        return 0
    result = evaluate(args.out, args.baseline)
    print(f"\n{'':16}{'reviewed (' + str(result['n']['reviewed']) + ')':>16}"
          f"{'held-out (' + str(result['n']['heldout']) + ')':>18}")  # fmt: skip
    for name in ("baseline", "with_reviewed"):
        r = result[name]
        print(f"{name:16}{r['reviewed']:>16.1%}{r['heldout']:>18.1%}")
    worse = result["with_reviewed"]["heldout"] < result["baseline"]["heldout"]
    print(
        "\nheld-out accuracy "
        + ("GOT WORSE: do not commit as is" if worse else "did not get worse")
    )
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
