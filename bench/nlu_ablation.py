"""Ablation of the project's intent model on ArBanking77, one setting changed at a time.

The model is the one the LinearIntentClassifier trains (bot.nlu.linear_model.LinearTextModel,
same features, same one-message scoring, greeting and thanks stripped the same way), on the
lemmas the ArabicTokenizer gives, without Rasa's training graph: a few seconds per row.
The first row is config.yml's settings; each other row changes one of them and is
compared with the first on the same 918 Saudi test messages (exact McNemar test).
The data are bench.nlu_compare's (train.csv to train, test_saudi.csv to score).

    python -m bench.nlu_ablation
    python -m bench.nlu_ablation --data DIR

`make bench-nlu` (bench.nlu_compare) measures the project pipeline inside Rasa; the
first row here should give the same accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bench.nlu_compare import DEFAULT_DATA, read_split
from bench.nlu_report import machine, mcnemar

REPO = Path(__file__).resolve().parents[1]

# (row label, tokenizer changes, model changes); "raw" as a tokenizer change means
# the text as written, not tokenised or normalised.
VARIANTS: List[Tuple[str, Dict[str, Any], Dict[str, Any]]] = [
    ("config.yml", {}, {}),
    ("text as written (no normalisation, no folding)", {"raw": True}, {}),
    ("normalised, no dialect folding", {"dialect": False}, {}),
    ("+ light clitic stemming", {"stem": True}, {}),
    ("char_wb 1-4", {}, {"min_ngram": 1, "max_ngram": 4}),
    ("char_wb 2-4", {}, {"min_ngram": 2, "max_ngram": 4}),
    ("char_wb 2-6", {}, {"min_ngram": 2, "max_ngram": 6}),
    ("char_wb 3-5", {}, {"min_ngram": 3, "max_ngram": 5}),
    ("char 2-5 (across word boundaries)", {}, {"analyzer": "char"}),
    ("sublinear tf off", {}, {"sublinear_tf": False}),
    ("+ word 1-2-grams", {}, {"max_word_ngram": 2}),
    ("C = 1", {}, {"C": 1.0}),
    ("C = 10", {}, {"C": 10.0}),
    ("no class weights", {}, {"class_weight": None}),
    ("loss: svm, C = 1 (bench/nlu/linear_svm.yml)", {}, {"loss": "svm", "C": 1.0}),
]


def project_settings(config: Path) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The tokenizer's and the intent classifier's options in a Rasa config file."""
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]

    def options(suffix: str) -> Dict[str, Any]:
        step = next(s for s in pipeline if s["name"].endswith(suffix))
        return {k: v for k, v in step.items() if k != "name"}

    return options("ArabicTokenizer"), options("LinearIntentClassifier")


def lemma_texts(texts: List[str], tokenizer_options: Dict[str, Any]) -> List[str]:
    """What the classifier sees for each text (bot.nlu.linear_model.message_lemma_text)."""
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.linear_model import digit_shape, message_lemma_text
    from bot.nlu.tokenizer import ArabicTokenizer

    if tokenizer_options.get("raw"):
        return [digit_shape(t) for t in texts]
    tokenizer = ArabicTokenizer({**ArabicTokenizer.get_default_config(), **tokenizer_options})
    out = []
    for text in texts:
        message = Message({TEXT: text})
        tokenizer.process([message])
        out.append(message_lemma_text(message))
    return out


def predict(model: Any, lemmas: List[str]) -> List[str]:
    """Top intent, one message at a time, as LinearIntentClassifier._scores does it."""
    from bot.nlu.linear_classifier import SMALL_TALK
    from bot.nlu.message_shapes import strip_courtesy

    out = []
    for text in lemmas:
        stripped = strip_courtesy(text)
        if stripped and stripped != text:
            row = model.predict_proba([stripped])[0]
            if model.classes[int(row.argmax())] not in SMALL_TALK:
                out.append(model.classes[int(row.argmax())])
                continue
        row = model.predict_proba([text])[0]
        out.append(model.classes[int(row.argmax())])
    return out


def run(data: Path, config: Path) -> List[Dict[str, Any]]:
    from bot.nlu.linear_classifier import LinearIntentClassifier
    from bot.nlu.linear_model import LinearTextModel

    train_texts, train_labels = read_split(data / "train.csv")
    test_texts, test_labels = read_split(data / "test_saudi.csv")
    tokenizer_base, model_base = project_settings(config)
    rows: List[Dict[str, Any]] = []
    baseline: Optional[List[bool]] = None
    for label, tokenizer_change, model_change in VARIANTS:
        tokenizer_options = {**tokenizer_base, **tokenizer_change}
        model_config = {
            **LinearIntentClassifier.get_default_config(),
            **model_base,
            **model_change,
        }
        started = time.perf_counter()
        model = LinearTextModel(model_config)
        model.fit(lemma_texts(train_texts, tokenizer_options), train_labels)
        seconds = time.perf_counter() - started
        predicted = predict(model, lemma_texts(test_texts, tokenizer_options))
        right = [g == p for g, p in zip(test_labels, predicted)]
        row: Dict[str, Any] = {
            "variant": label,
            "accuracy": sum(right) / len(right),
            "train_seconds": seconds,
        }
        if baseline is None:
            baseline = right
        else:
            row.update(mcnemar(right, baseline))
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _line(row: Dict[str, Any]) -> str:
    paired = (
        f"{row['only_first']} vs {row['only_second']}, p = {row['p_value']:.3f}"
        if "p_value" in row
        else "(baseline)"
    )
    return (
        f"| {row['variant']} | {100 * row['accuracy']:.1f}% | {paired} | "
        f"{row['train_seconds']:.1f} |"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="benchmark folder")
    parser.add_argument("--config", default=str(REPO / "config.yml"), help="the baseline")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "train.csv").exists():
        print(f"benchmark data not found in {data} (pass --data)", file=sys.stderr)
        return 2
    info = machine()
    print(
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gib']} GiB RAM; "
        f"Python {info['python']}, scikit-learn {info['sklearn']}."
    )
    print("ArBanking77 Saudi test, one change at a time against config.yml's settings")
    print("(McNemar: right only with the change vs right only with config.yml).\n")
    print("| variant | accuracy | McNemar | train s |")
    print("|---|---:|---|---:|")
    run(data, Path(args.config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
