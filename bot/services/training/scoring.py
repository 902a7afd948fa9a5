"""How a model's parse is scored against labelled messages: the held-out and fresh sets
(tests/data), and a new FAQ's own phrasings. `make bench` (bench/run.py) and the console's
retrain use the same functions, so the console refuses on the numbers the bench reports.

    python -m bot.services.training.scoring MODEL.tar.gz SETS.json

reads {"name": [[text, label], …]} and prints {"name": {"accuracy", "n", "wrong"}} as JSON:
the retrain runs it in a child process, so the console never holds a second model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
# Written later by someone who saw neither the training data nor the held-out file
# (after the training data had been extended from the held-out errors), so it is the
# unbiased estimate; short common phrases recur in training, hence "unseen" too.
FRESH = ROOT / "tests" / "data" / "nlu_fresh.yml"

Pairs = List[Tuple[str, str]]


def heldout_examples(path: Path = HELDOUT) -> Pairs:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        (m.get("text"), m.get("intent_response_key") or m.get("intent"))
        for m in data.intent_examples
    ]


def predicted_label(parse: Dict) -> str:
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent == "followup":
        # A message shaped like a follow-up, alone in its conversation, is answered as
        # the intent the NLU read it as (bot/actions/followups.py): score that.
        intent = (parse.get("followup") or {}).get("intent") or intent
    if intent in ("faq", "faq_multi"):
        # A ResponseSelector without `retrieval_intent` (Rasa's default pipeline) reports
        # under "default" rather than under the intent's name.
        selectors = parse.get("response_selector") or {}
        selector = selectors.get("faq") or selectors.get("default") or {}
        response = selector.get("response") or {}
        # An answer swapped for the situation the message tells (bot/nlu/faq_shapes.py)
        # is scored as the FAQ the selector chose.
        key = response.get("original_response_key") or response.get("intent_response_key")
        return base_answer(key) if key else "faq"
    return intent


def base_answer(full_key: str) -> str:
    """faq/<key>, with an answer chosen by the age in the question (bot/content/faq.yml,
    derived_from) scored as the answer it was derived from."""
    from bot.content import faq_answers

    prefix, _, key = full_key.partition("/")
    derived = (faq_answers().get(key) or {}).get("derived_from")
    return f"{prefix}/{derived}" if derived else full_key


def score(pairs: Sequence[Tuple[str, str]]) -> Dict[str, float]:
    """Accuracy and macro F1 of (gold, predicted) pairs."""
    from sklearn.metrics import accuracy_score, f1_score

    gold, pred = zip(*pairs)
    return {
        "accuracy": accuracy_score(gold, pred),
        "macro_f1": f1_score(gold, pred, average="macro", zero_division=0),
    }


def score_model(model: Path, sets: Dict[str, Pairs]) -> Dict[str, Dict]:
    """{set: {"accuracy" (percent, 2 decimals), "n", "wrong": [[text, gold, predicted]]}}."""
    import structlog
    from rasa.core.agent import Agent

    # Rasa logs every parse at debug level; hundreds of them would bury the result.
    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))

    async def run(pairs: Pairs) -> List[Tuple[str, str, str]]:
        return [(t, gold, predicted_label(await agent.parse_message(t))) for t, gold in pairs]

    found = {}
    for name, pairs in sets.items():
        rows = asyncio.run(run(pairs)) if pairs else []
        right = sum(gold == got for _, gold, got in rows)
        found[name] = {
            "accuracy": round(100.0 * right / len(rows), 2) if rows else None,
            "n": len(rows),
            "wrong": [list(r) for r in rows if r[1] != r[2]][:50],
        }
    return found


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sets = json.loads(Path(args[1]).read_text(encoding="utf-8"))
    print(json.dumps(score_model(Path(args[0]), sets), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
