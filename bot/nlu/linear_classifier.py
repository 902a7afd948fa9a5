"""LinearIntentClassifier: TF-IDF character n-grams + logistic regression, as a Rasa component.

Why: with a few dozen examples per intent, a linear model over character n-grams of
the normalised text is as accurate as DIET on dialect Arabic, trains in about a
second instead of minutes, and predicts in about a millisecond (see
docs/benchmarks.md, "NLU on ArBanking77"). Character n-grams inside word
boundaries (``char_wb``) match a word whatever clitics are glued to it (بطاقتي,
والبطاقه, لبطاقتك share بطاق/طاقه), which is most of Arabic's surface variation.

The component reads the tokens' lemmas, so whatever the tokenizer does
(bot.nlu.tokenizer.ArabicTokenizer: letter folding, digits, dialect words, light
stemming) reaches the features. Logistic regression gives calibrated-ish
probabilities, so the FallbackClassifier threshold means something, and
``intent_ranking`` is filled like DIET's.

Optionally it blends its probabilities with those of an earlier intent classifier
in the pipeline (e.g. DIETClassifier): ``blend_with_previous: 0.3`` gives the earlier
classifier's ranking 30% of the weight.

Persistence writes plain JSON and NumPy arrays (no pickle), so a model file can't
run code when it is loaded.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, Type

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.arabic import normalize

logger = logging.getLogger(__name__)

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


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    return scores / scores.sum(axis=1, keepdims=True)


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

    def fit(self, texts: List[str], labels: List[Text]) -> None:
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
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(
            C=float(self.config["C"]),
            class_weight=self.config["class_weight"],
            max_iter=int(self.config["max_iter"]),
            random_state=int(self.config["random_seed"]),
            solver="lbfgs",
            multi_class="multinomial",
        )
        model.fit(features, labels)
        assert list(model.classes_) == self.classes
        self.coef = np.asarray(model.coef_, dtype=np.float64)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)

    def predict_proba(self, texts: List[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(self.classes))."""
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

    def _score_one(self, text: str) -> Tuple[np.ndarray, float]:
        """Class scores of one text (TfidfVectorizer.transform, then coef·x + intercept)
        and the text's n-gram coverage, from a single pass of each analyzer."""
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
            score += self.coef[:, columns + offset] @ values
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
        # Inverse regularisation strength of the logistic regression.
        "C": 10.0,
        # None or "balanced" (reweights rare labels up).
        "class_weight": None,
        "max_iter": 1000,
        "random_seed": 42,
        # How many labels go to the ranking (0 = all).
        "ranking_length": 10,
    }


def validate_linear_config(config: Dict[Text, Any]) -> None:
    if config["min_ngram"] > config["max_ngram"]:
        raise ValueError("min_ngram must not exceed max_ngram")
    if float(config["C"]) <= 0:
        raise ValueError("C must be positive")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression over TF-IDF character (and word) n-grams."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **linear_model_defaults(),
            # Weight of an earlier intent classifier's ranking (e.g. DIET) in the
            # final probabilities; 0 ignores it and overwrites its output.
            "blend_with_previous": 0.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearTextModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model or LinearTextModel(self.config)

    @property
    def classes(self) -> List[Text]:
        return self.model.classes

    @property
    def coef(self) -> Optional[np.ndarray]:
        return self.model.coef

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        merged = {**cls.get_default_config(), **config}
        validate_linear_config(merged)
        if not 0.0 <= float(merged["blend_with_previous"]) < 1.0:
            raise ValueError("blend_with_previous must be in [0, 1)")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples; %s stays untrained.", type(self).__name__)
            return self._resource
        self.model.fit([message_lemma_text(e) for e in examples], [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def predict_proba(self, texts: List[str]) -> np.ndarray:
        return self.model.predict_proba(texts)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.model.trained:
            return messages
        probabilities = self.model.predict_proba([message_lemma_text(m) for m in messages])
        blend = float(self.config["blend_with_previous"])
        for message, row in zip(messages, probabilities):
            scores = dict(zip(self.classes, row.tolist()))
            previous = message.get(INTENT_RANKING_KEY) if blend > 0 else None
            if previous:
                prior = {r[INTENT_NAME_KEY]: r[PREDICTED_CONFIDENCE_KEY] for r in previous}
                names = set(scores) | set(prior)
                scores = {
                    n: (1 - blend) * scores.get(n, 0.0) + blend * prior.get(n, 0.0) for n in names
                }
                total = sum(scores.values()) or 1.0
                scores = {n: s / total for n, s in scores.items()}
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: float(conf)}
                for name, conf in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            length = int(self.config["ranking_length"])
            message.set(
                INTENT_RANKING_KEY,
                ranking[:length] if length > 0 else ranking,
                add_to_output=True,
            )
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            self.model.save(model_dir)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        merged = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                model, _ = LinearTextModel.load(merged, model_dir)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s found; using an empty one.", cls.__name__)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model)
