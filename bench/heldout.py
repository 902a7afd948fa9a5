"""The held-out files and how a parse is scored against them, shared by `make bench`
(bench/run.py) and its threshold sweeps (bench/thresholds.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
# Written later by someone who saw neither the training data nor the held-out file
# (after the training data had been extended from the held-out errors), so it is the
# unbiased estimate; short common phrases recur in training, hence "unseen" too.
FRESH = ROOT / "tests" / "data" / "nlu_fresh.yml"


def heldout_examples(path: Path = HELDOUT) -> List[Tuple[str, str]]:
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


def score(pairs: List[Tuple[str, str]]) -> Dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    gold, pred = zip(*pairs)
    return {
        "accuracy": accuracy_score(gold, pred),
        "macro_f1": f1_score(gold, pred, average="macro", zero_division=0),
    }
