"""Arabizi on the development sets of bench/arabizi_dev.yml (not held-out data):
`arabizi`, the messages the transliterator was built on, and `arabizi_fresh`, written
after that and measured once before its errors prompted lexicon entries (see the
file's comment for that first number).

    python -m bench.arabizi                 # detection and cost, then the model
    python -m bench.arabizi --no-model      # detection and cost only
    python -m bench.arabizi --model PATH    # a given model instead of the current one

Reports:
- detection: Arabizi messages language_of calls Arabizi, English ones it does not;
- intent accuracy of each set's Arabizi messages with the current model (bot.tools.model
  path, trained beforehand with `python -m bot.tools.model ensure`), as the assistant
  reads them (arabizi on) and as it read them before (the tokenizer's arabizi switched
  off in the same model), FAQs scored at answer level like bench/run.py; and whether
  any English message's prediction changes when Arabizi is on (it must not);
- the step's cost per message (timeit): detection alone for English, detection and
  transliteration for Arabizi, with the word caches cleared each pass (cold) and kept
  (warm).
Results are printed and written to results/arabizi.json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import timeit
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.nlu.arabizi import to_arabic, transliterate_word, transliterate_words
from bot.nlu.arabizi_lexicon import lookup
from bot.nlu.script import ARABIZI, ENGLISH, WORD, language_of

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "bench" / "arabizi_dev.yml"
RESULTS = ROOT / "results"


SETS = ("arabizi", "arabizi_fresh", "arabizi_situations")


def dev_set() -> Tuple[Dict[str, List[Tuple[str, str]]], List[str]]:
    data = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    arabizi = {name: [(text, intent) for text, intent in data[name]] for name in SETS}
    return arabizi, list(data["english"])


def step(text: str) -> List[str]:
    """What the tokenizer adds per message: the decision, then the Arabic words."""
    if language_of(text) == ARABIZI:
        return transliterate_words(WORD.findall(text))
    return []


def cost_us(texts: List[str], cold: bool, repeat: int = 5) -> float:
    """Best microseconds per message over `repeat` passes."""

    def one_pass() -> None:
        if cold:
            transliterate_word.cache_clear()
            lookup.cache_clear()
        for text in texts:
            step(text)

    one_pass()  # loads the word list once, as a running server has
    best = min(timeit.repeat(one_pass, number=1, repeat=repeat))
    return best / len(texts) * 1e6


def _tokenizers(agent) -> List:
    from bot.nlu.tokenizer import ArabicTokenizer

    nodes = getattr(agent.processor.graph_runner, "_instantiated_nodes", {})
    found = [getattr(n, "_component", None) for n in nodes.values()]
    return [c for c in found if isinstance(c, ArabicTokenizer)]


def model_scores(model: str, sets: Dict[str, List[Tuple[str, str]]], english: List[str]) -> Dict:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from bot.services.training.scoring import predicted_label

    agent = Agent.load(model)
    configure_structlog(logging.WARNING)  # no debug line per parsed message
    tokenizers = _tokenizers(agent)
    if not tokenizers:
        raise SystemExit("no ArabicTokenizer in the model's graph")

    async def labels(texts: List[str]) -> List[str]:
        return [predicted_label(await agent.parse_message(t)) for t in texts]

    def run(on: bool, texts: List[str]) -> List[str]:
        for tokenizer in tokenizers:
            tokenizer._config["arabizi"] = on
        return asyncio.run(labels(texts))

    scores: Dict = {"model": model}
    for name, arabizi in sets.items():
        texts, gold = [t for t, _ in arabizi], [g for _, g in arabizi]
        after, before = run(True, texts), run(False, texts)
        scores[name] = {
            "messages": len(gold),
            "right_on": sum(p == g for p, g in zip(after, gold)),
            "right_off": sum(p == g for p, g in zip(before, gold)),
            "fallback_on": sum(p == "nlu_fallback" for p in after),
            "fallback_off": sum(p == "nlu_fallback" for p in before),
            "errors": [
                {"text": t, "arabic": to_arabic(t), "gold": g, "predicted": p}
                for t, g, p in zip(texts, gold, after)
                if p != g
            ],
        }
    english_on, english_off = run(True, english), run(False, english)
    scores["english_changed"] = [t for t, a, b in zip(english, english_on, english_off) if a != b]
    return scores


def main(argv: List[str]) -> int:
    from bench.run import machine

    print(f"Machine: {machine()}")
    sets, english = dev_set()
    texts = [t for arabizi in sets.values() for t, _ in arabizi]
    result: Dict = {
        "arabizi_messages": len(texts),
        "english_messages": len(english),
        "arabizi_detected": sum(language_of(t) == ARABIZI for t in texts),
        "english_false_positives": [t for t in english if language_of(t) != ENGLISH],
        "cost_us_arabizi_cold": cost_us(texts, cold=True),
        "cost_us_arabizi_warm": cost_us(texts, cold=False),
        "cost_us_english": cost_us(english, cold=False),
    }
    print(f"Arabizi detected: {result['arabizi_detected']}/{len(texts)}")
    print(f"English false positives: {len(result['english_false_positives'])}/{len(english)}")
    print(
        "cost per message (µs): Arabizi cold {cost_us_arabizi_cold:.0f}, warm "
        "{cost_us_arabizi_warm:.0f}; English {cost_us_english:.0f}".format(**result)
    )
    if "--no-model" not in argv:
        from bot.tools.model import model_path

        model = argv[argv.index("--model") + 1] if "--model" in argv else str(model_path())
        if not Path(model).exists():
            print(f"no model at {model}: python -m bot.tools.model ensure")
            return 1
        scores = model_scores(model, sets, english)
        result.update(scores)
        print(f"model: {model}")
        for name in SETS:
            s = scores[name]
            n = s["messages"]
            print(
                f"{name}: right intent {s['right_on']}/{n} ({s['right_on'] / n:.1%}) with "
                f"arabizi on, {s['right_off']}/{n} ({s['right_off'] / n:.1%}) off; fallback "
                f"{s['fallback_on']}/{n} on, {s['fallback_off']}/{n} off"
            )
            for error in s["errors"]:
                print(
                    f"  {error['text']!r} ({error['arabic']}): "
                    f"{error['gold']} -> {error['predicted']}"
                )
        print(f"English predictions changed by the step: {len(scores['english_changed'])}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "arabizi.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
