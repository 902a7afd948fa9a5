"""Does English training data cost the Arabic reading? Cross-validation on bot/data.

The intent model and the answer selector of config.yml (bot.nlu.linear_model, n-grams
only: the encoder is left out, it sees 2.6% of Arabic messages) are trained on four
fifths of the training examples and scored on the fifth, five times (stratified by
label), for each way of sharing the data between languages:

- shared: one model per component over every example (Arabic, Arabizi, English);
- split: the Arabic model over Arabic and Arabizi examples, a model of its own over the
  English ones, each message scored by the model of its script (bot.nlu.script);
- shared, English weighted w: one model, English examples counting w each.

Scores are full labels (faq/<key> for FAQs), per script of the scored message; plus
the labelled Arabizi sections of bench/arabizi_dev.yml with models trained on
everything. No held-out file is read.

    PYTHONPATH=. python -m bench.language_split
"""

from __future__ import annotations

import glob
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml

from bench.nlu_ablation import lemma_texts, project_settings

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "bench" / "arabizi_dev.yml"
DEV_SECTIONS = ("arabizi", "arabizi_fresh", "arabizi_situations")


def training_examples() -> List[Tuple[str, str, str]]:
    """(text, intent, full label) of every NLU example in bot/data."""
    from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = sorted(glob.glob(str(REPO / "bot" / "data" / "*" / "nlu.yml")))
    data = TrainingData().merge(*[load_data(f) for f in files])
    return [
        (e.get(TEXT), e.get(INTENT), e.get(INTENT_RESPONSE_KEY) or e.get(INTENT))
        for e in data.intent_examples
        if e.get(TEXT) and e.get(INTENT)
    ]


def _configs() -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
    import yaml as _yaml

    from bot.nlu.linear_classifier import LinearIntentClassifier
    from bot.nlu.linear_response_selector import LinearResponseSelector

    config = REPO / "config.yml"
    tokenizer, intent = project_settings(config)
    pipeline = _yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    selector = next(s for s in pipeline if s["name"].endswith("LinearResponseSelector"))
    strip = {"name", "encoder", "encoder_weight", "encoder_below", "encoder_scripts"}
    intent = {**LinearIntentClassifier.get_default_config(), **intent}
    selector = {**LinearResponseSelector.get_default_config(), **selector}
    return (
        tokenizer,
        {k: v for k, v in intent.items() if k not in strip},
        {k: v for k, v in selector.items() if k not in strip},
    )


class Reader:
    """Intent model + answer selector, as the pipeline reads one message."""

    def __init__(self, intent_config: Dict, selector_config: Dict) -> None:
        self.intent_config, self.selector_config = intent_config, selector_config

    def fit(
        self,
        lemmas: Sequence[str],
        intents: Sequence[str],
        labels: Sequence[str],
        weights: Optional[np.ndarray] = None,
    ) -> "Reader":
        from bot.nlu.linear_model import LinearTextModel

        self.intent = LinearTextModel(self.intent_config)
        self.intent.fit(list(lemmas), list(intents), sample_weight=weights)
        faq = [i for i, intent in enumerate(intents) if intent == "faq"]
        self.selector = LinearTextModel(self.selector_config)
        self.selector.fit(
            [lemmas[i] for i in faq],
            [labels[i] for i in faq],
            sample_weight=None if weights is None else weights[faq],
        )
        return self

    def read(self, lemma: str) -> str:
        from bench.nlu_ablation import predict

        intent = predict(self.intent, [lemma])[0]
        if intent != "faq":
            return intent
        row = self.selector.predict_proba([lemma])[0]
        return self.selector.classes[int(row.argmax())]


def _folds(labels: Sequence[str], k: int = 5, seed: int = 42) -> List[np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    strata = [label for label in labels]
    counts: Dict[str, int] = defaultdict(int)
    for s in strata:
        counts[s] += 1
    # Labels too rare to stratify go by their language only.
    strata = [s if counts[s] >= k else "rare" for s in strata]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(strata)), strata)]


def evaluate(variant: str, english_weight: float = 1.0) -> Dict[str, Any]:
    from bot.nlu.script import ENGLISH, language_of

    tokenizer, intent_config, selector_config = _configs()
    examples = training_examples()
    texts = [t for t, _, _ in examples]
    intents = [i for _, i, _ in examples]
    labels = [f for _, _, f in examples]
    languages = [language_of(t) for t in texts]
    lemmas = lemma_texts(texts, tokenizer)
    right: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    strata = [f"{lab}|{lang == ENGLISH}" for lab, lang in zip(labels, languages)]
    for test in _folds(strata):
        held = set(test.tolist())
        train = [i for i in range(len(texts)) if i not in held]
        readers = _train(
            variant,
            english_weight,
            train,
            lemmas,
            intents,
            labels,
            languages,
            intent_config,
            selector_config,
        )
        for i in test:
            reader = readers[ENGLISH if languages[i] == ENGLISH else "ar"]
            group = "en" if languages[i] == ENGLISH else "ar"
            right[group][1] += 1
            right[group][0] += reader.read(lemmas[i]) == labels[i]
    every = list(range(len(texts)))
    readers = _train(
        variant,
        english_weight,
        every,
        lemmas,
        intents,
        labels,
        languages,
        intent_config,
        selector_config,
    )
    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    for section in DEV_SECTIONS:
        pairs = dev.get(section) or []
        dev_lemmas = lemma_texts([t for t, _ in pairs], tokenizer)
        for (text, gold), lemma in zip(pairs, dev_lemmas):
            reader = readers[ENGLISH if language_of(text) == ENGLISH else "ar"]
            right[section][1] += 1
            right[section][0] += reader.read(lemma) == gold
    return {group: (r, n) for group, (r, n) in right.items()}


def _train(
    variant,
    english_weight,
    rows,
    lemmas,
    intents,
    labels,
    languages,
    intent_config,
    selector_config,
) -> Dict[str, Reader]:
    from bot.nlu.script import ENGLISH

    def fit(subset: List[int], weights: Optional[np.ndarray] = None) -> Reader:
        return Reader(intent_config, selector_config).fit(
            [lemmas[i] for i in subset],
            [intents[i] for i in subset],
            [labels[i] for i in subset],
            weights,
        )

    if variant == "split":
        arabic = fit([i for i in rows if languages[i] != ENGLISH])
        english = fit([i for i in rows if languages[i] == ENGLISH])
        return {"ar": arabic, ENGLISH: english}
    weights = None
    if english_weight != 1.0:
        weights = np.array([english_weight if languages[i] == ENGLISH else 1.0 for i in rows])
    shared = fit(rows, weights)
    return {"ar": shared, ENGLISH: shared}


def main(argv: Optional[List[str]] = None) -> int:
    variants = [("shared", 1.0), ("split", 1.0), ("shared", 0.5), ("shared", 0.25)]
    print("| variant | Arabic CV | English CV | " + " | ".join(DEV_SECTIONS) + " |")
    print("|---|---:|---:|" + "---:|" * len(DEV_SECTIONS))
    for variant, weight in variants:
        scores = evaluate(variant, weight)
        name = variant if weight == 1.0 else f"{variant}, English weighted {weight}"
        cells = [scores["ar"], scores["en"]] + [scores[s] for s in DEV_SECTIONS]
        print(
            f"| {name} | " + " | ".join(f"{100 * r / n:.1f}% ({r}/{n})" for r, n in cells) + " |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
