"""Arabizi on the development set bench/arabizi_dev.yml (not held-out data).

    python -m bench.arabizi                 # detection and cost, then the model
    python -m bench.arabizi --no-model      # detection and cost only
    python -m bench.arabizi --model PATH    # a given model instead of the current one

Reports:
- detection: Arabizi messages language_of calls Arabizi, English ones it does not;
- intent accuracy of the Arabizi messages with the current model (bot.tools.model
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
import sys
import timeit
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.nlu.arabizi import transliterate_word, transliterate_words
from bot.nlu.arabizi_lexicon import lookup
from bot.nlu.script import ARABIZI, ENGLISH, WORD, language_of

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "bench" / "arabizi_dev.yml"
RESULTS = ROOT / "results"


def dev_set() -> Tuple[List[Tuple[str, str]], List[str]]:
    data = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    return [(text, intent) for text, intent in data["arabizi"]], list(data["english"])


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


def model_scores(model: str, arabizi: List[Tuple[str, str]], english: List[str]) -> Dict:
    from rasa.core.agent import Agent

    from bench.heldout import predicted_label

    agent = Agent.load(model)
    tokenizers = _tokenizers(agent)
    if not tokenizers:
        raise SystemExit("no ArabicTokenizer in the model's graph")

    async def labels(texts: List[str]) -> List[str]:
        return [predicted_label(await agent.parse_message(t)) for t in texts]

    def run(on: bool, texts: List[str]) -> List[str]:
        for tokenizer in tokenizers:
            tokenizer._config["arabizi"] = on
        return asyncio.run(labels(texts))

    texts, gold = [t for t, _ in arabizi], [g for _, g in arabizi]
    after, before = run(True, texts), run(False, texts)
    english_on, english_off = run(True, english), run(False, english)
    return {
        "model": model,
        "accuracy_on": sum(p == g for p, g in zip(after, gold)) / len(gold),
        "accuracy_off": sum(p == g for p, g in zip(before, gold)) / len(gold),
        "fallback_on": sum(p == "nlu_fallback" for p in after) / len(gold),
        "fallback_off": sum(p == "nlu_fallback" for p in before) / len(gold),
        "english_changed": [t for t, a, b in zip(english, english_on, english_off) if a != b],
        "errors": [
            {"text": t, "gold": g, "predicted": p} for t, g, p in zip(texts, gold, after) if p != g
        ],
    }


def main(argv: List[str]) -> int:
    arabizi, english = dev_set()
    texts = [t for t, _ in arabizi]
    result: Dict = {
        "arabizi_messages": len(arabizi),
        "english_messages": len(english),
        "arabizi_detected": sum(language_of(t) == ARABIZI for t in texts),
        "english_false_positives": [t for t in english if language_of(t) != ENGLISH],
        "cost_us_arabizi_cold": cost_us(texts, cold=True),
        "cost_us_arabizi_warm": cost_us(texts, cold=False),
        "cost_us_english": cost_us(english, cold=False),
    }
    print(f"Arabizi detected: {result['arabizi_detected']}/{len(arabizi)}")
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
        scores = model_scores(model, arabizi, english)
        result.update(scores)
        print(
            "intent accuracy on Arabizi: {:.1%} with arabizi on, {:.1%} off "
            "(fallback {:.1%} on, {:.1%} off)".format(
                scores["accuracy_on"],
                scores["accuracy_off"],
                scores["fallback_on"],
                scores["fallback_off"],
            )
        )
        print(f"English predictions changed by the step: {len(scores['english_changed'])}")
        for error in scores["errors"]:
            print(f"  {error['text']!r}: {error['gold']} -> {error['predicted']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "arabizi.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
