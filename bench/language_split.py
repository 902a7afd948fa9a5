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

import argparse
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


def _configs(with_encoder: bool = False) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
    import yaml as _yaml

    from bot.nlu.linear_classifier import LinearIntentClassifier
    from bot.nlu.linear_response_selector import LinearResponseSelector

    config = REPO / "config.yml"
    tokenizer, intent = project_settings(config)
    pipeline = _yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    selector = next(s for s in pipeline if s["name"].endswith("LinearResponseSelector"))
    strip = {"name"} | (
        set() if with_encoder else {"encoder", "encoder_weight", "encoder_below", "encoder_scripts"}
    )
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
        raws: Sequence[str],
        intents: Sequence[str],
        labels: Sequence[str],
        weights: Optional[np.ndarray] = None,
    ) -> "Reader":
        from bot.nlu.linear_model import LinearTextModel

        self.intent = LinearTextModel(self.intent_config)
        self.intent.fit(list(lemmas), list(intents), list(raws), sample_weight=weights)
        faq = [i for i, intent in enumerate(intents) if intent == "faq"]
        self.selector = LinearTextModel(self.selector_config)
        self.selector.fit(
            [lemmas[i] for i in faq],
            [labels[i] for i in faq],
            [raws[i] for i in faq],
            sample_weight=None if weights is None else weights[faq],
        )
        return self

    def read(self, lemma: str, raw: str, encoder: bool = True) -> Tuple[str, float, float]:
        """(full label, intent probability, answer probability), the courtesy around a
        question stripped as LinearIntentClassifier does; `encoder`: False reads with the
        n-grams alone."""
        consult = None if encoder else [False]
        from bot.nlu.linear_classifier import SMALL_TALK
        from bot.nlu.message_shapes import strip_courtesy

        row = None
        stripped = strip_courtesy(lemma)
        if stripped and stripped != lemma:
            row = self.intent.predict_proba([stripped], [raw], consult)[0]
            if self.intent.classes[int(row.argmax())] in SMALL_TALK:
                row = None
        if row is None:
            row = self.intent.predict_proba([lemma], [raw], consult)[0]
        best = int(row.argmax())
        intent, confidence = self.intent.classes[best], float(row[best])
        if intent != "faq":
            return intent, confidence, 1.0
        answers = self.selector.predict_proba([lemma], [raw], consult)[0]
        top = int(answers.argmax())
        return self.selector.classes[top], confidence, float(answers[top])


def _folds(labels: Sequence[str], k: int = 5, seed: int = 42) -> List[np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    counts: Dict[str, int] = defaultdict(int)
    for label in labels:
        counts[label] += 1
    # Labels too rare to stratify are put together.
    strata = [label if counts[label] >= k else "rare" for label in labels]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(strata)), strata)]


# group, right, intent and answer probabilities; right and intent probability with the
# n-grams alone
Row = Tuple[str, bool, float, float, bool, float]


def evaluate(
    variant: str,
    english_weight: float = 1.0,
    with_encoder: bool = False,
    encoder_scale: float = 1.0,
) -> List[Row]:
    """Rows of every cross-validated example and dev message; `encoder_scale` multiplies
    both components' encoder_weight."""
    from bot.nlu.script import ENGLISH, language_of

    tokenizer, intent_config, selector_config = _configs(with_encoder)
    for config in (intent_config, selector_config):
        if "encoder_weight" in config:
            config["encoder_weight"] = float(config["encoder_weight"]) * encoder_scale
    examples = training_examples()
    texts = [t for t, _, _ in examples]
    intents = [i for _, i, _ in examples]
    labels = [f for _, _, f in examples]
    languages = [language_of(t) for t in texts]
    lemmas = lemma_texts(texts, tokenizer)
    data = (texts, lemmas, intents, labels, languages)
    rows: List[Row] = []

    def score(readers: Dict[str, Reader], group: str, text: str, lemma: str, gold: str) -> None:
        reader = readers[ENGLISH if language_of(text) == ENGLISH else "ar"]
        label, intent_p, answer_p = reader.read(lemma, text)
        plain, plain_p, _ = reader.read(lemma, text, encoder=False)
        rows.append((group, label == gold, intent_p, answer_p, plain == gold, plain_p))

    strata = [f"{lab}|{lang == ENGLISH}" for lab, lang in zip(labels, languages)]
    for test in _folds(strata):
        held = set(test.tolist())
        train = [i for i in range(len(texts)) if i not in held]
        readers = _train(variant, english_weight, train, data, intent_config, selector_config)
        for i in test:
            group = "en" if languages[i] == ENGLISH else "ar"
            score(readers, group, texts[i], lemmas[i], labels[i])
    every = list(range(len(texts)))
    readers = _train(variant, english_weight, every, data, intent_config, selector_config)
    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    for section in DEV_SECTIONS:
        pairs = dev.get(section) or []
        dev_lemmas = lemma_texts([t for t, _ in pairs], tokenizer)
        for (text, gold), lemma in zip(pairs, dev_lemmas):
            score(readers, section, text, lemma, gold)
    return rows


def _train(
    variant: str,
    english_weight: float,
    rows: List[int],
    data: Tuple[List[str], ...],
    intent_config: Dict,
    selector_config: Dict,
) -> Dict[str, Reader]:
    from bot.nlu.script import ENGLISH

    texts, lemmas, intents, labels, languages = data

    def fit(subset: List[int], weights: Optional[np.ndarray] = None) -> Reader:
        return Reader(intent_config, selector_config).fit(
            [lemmas[i] for i in subset],
            [texts[i] for i in subset],
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


def summary(rows: List[Row], group: str) -> Tuple[int, int]:
    mine = [r for r in rows if r[0] == group]
    return sum(r[1] for r in mine), len(mine)


def answered(rows: List[Row], group: str, threshold: float, answer: float = 0.2) -> str:
    """Right and above the thresholds (answered) / wrong and above them (a wrong answer)."""
    mine = [r for r in rows if r[0] == group]
    shown = [r for r in mine if r[2] >= threshold and r[3] >= answer]
    right = sum(r[1] for r in shown)
    return f"{100 * right / len(mine):.1f}% / {100 * (len(shown) - right) / len(mine):.1f}%"


def consulted_under(rows: List[Row], group: str, below: float) -> str:
    """Accuracy if the encoder were asked only when the n-grams' intent probability is
    under `below`, and the share of messages that would reach it."""
    mine = [r for r in rows if r[0] == group]
    asked = [r[5] < below for r in mine]
    right = sum(r[1] if ask else r[4] for r, ask in zip(mine, asked))
    return f"{100 * right / len(mine):.1f}% ({100 * sum(asked) / len(mine):.0f}% asked)"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoder", action="store_true", help="config.yml's encoder on")
    parser.add_argument(
        "--variants", default="shared,split,shared:0.5,shared:0.25", help="variant[:weight],..."
    )
    parser.add_argument("--encoder-scale", type=float, default=1.0, help="x encoder_weight")
    parser.add_argument("--below", default="", help="e.g. 0.8,0.9: encoder only under")
    parser.add_argument("--thresholds", default="", help="e.g. 0.2,0.3,0.4: answered per script")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",") if t]
    belows = [float(t) for t in args.below.split(",") if t]
    print("| variant | Arabic CV | English CV | " + " | ".join(DEV_SECTIONS) + " |")
    print("|---|---:|---:|" + "---:|" * len(DEV_SECTIONS))
    for spec in args.variants.split(","):
        variant, _, weight_text = spec.partition(":")
        weight = float(weight_text or 1.0)
        rows = evaluate(variant, weight, args.encoder, args.encoder_scale)
        name = variant if weight == 1.0 else f"{variant}, English weighted {weight}"

        def row(label: str, cell) -> None:
            groups = ("ar", "en", *DEV_SECTIONS)
            print(f"| {label} | " + " | ".join(cell(g) for g in groups) + " |", flush=True)

        def share(group: str) -> str:
            right, n = summary(rows, group)
            return f"{100 * right / n:.1f}% ({right}/{n})"

        row(name, share)
        for threshold in thresholds:
            row(
                f"  threshold {threshold}: answered right / wrong",
                lambda g, t=threshold: answered(rows, g, t),
            )
        for below in belows:
            row(f"  encoder only under {below}", lambda g, b=below: consulted_under(rows, g, b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
