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

A greeting or thanks around a question does not decide the intent: the message is
also scored without it (bot.nlu.message_shapes). A message holding several questions
gets each question's intent noted for the components after this one (SEGMENTS).
The model itself, and its persistence without pickle, is bot.nlu.linear_model.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
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

from bot.nlu.english_spelling import text_for_encoder
from bot.nlu.linear_model import (
    LinearTextModel,
    digit_shape,
    linear_model_defaults,
    message_lemma_text,
    validate_linear_config,
)
from bot.nlu.message_shapes import question_segments, story_question, strip_courtesy

# Re-exported: the model moved to bot.nlu.linear_model, callers still import it here.
__all__ = [
    "LinearIntentClassifier",
    "LinearTextModel",
    "digit_shape",
    "linear_model_defaults",
    "message_lemma_text",
    "validate_linear_config",
]

logger = logging.getLogger(__name__)

# Where the classifier leaves, for the components after it, the intent of each
# question of a message that holds several (not part of the parse output).
SEGMENTS = "question_segments"
# Intents that a courtesy alone expresses: when the message without its courtesy is
# still one of these, the whole message is scored instead.
SMALL_TALK = frozenset({"greet", "thanks", "goodbye"})


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
        self.model.fit(
            [message_lemma_text(e) for e in examples],
            [e.get(INTENT) for e in examples],
            [text_for_encoder(e) for e in examples],
        )
        self.persist()
        return self._resource

    def predict_proba(self, texts: List[str]) -> np.ndarray:
        return self.model.predict_proba(texts)

    def _scores(self, message: Message) -> Dict[Text, float]:
        """Class probabilities of a message; a greeting or thanks around a question
        does not decide the intent (bot.nlu.message_shapes.strip_courtesy)."""
        text, raw = message_lemma_text(message), [text_for_encoder(message)]
        stripped = strip_courtesy(text)
        row = None
        if stripped and stripped != text:
            row = self.model.predict_proba([stripped], raw)[0]
            if self.classes[int(row.argmax())] in SMALL_TALK:
                row = None
        if row is None:
            row = self.model.predict_proba([text], raw)[0]
        # A long story with its question at the end: the question read alone, when it
        # is surer of what is asked than the whole story is.
        question = story_question(message, digit_shape)
        if question:
            alone = self.model.predict_proba([question])[0]
            if alone.max() > row.max() and self.classes[int(alone.argmax())] not in SMALL_TALK:
                row = alone
        return dict(zip(self.classes, row.tolist()))

    def _segments(self, message: Message) -> None:
        segments = question_segments(message, digit_shape)
        if not segments:
            return
        found = []
        for text in segments:
            # One at a time: the single-text path is the fast one (LinearTextModel).
            row = self.model.predict_proba([text])[0]
            best = int(row.argmax())
            found.append({TEXT: text, INTENT: self.classes[best], "confidence": float(row[best])})
        message.set(SEGMENTS, found)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.model.trained:
            return messages
        blend = float(self.config["blend_with_previous"])
        for message in messages:
            scores = self._scores(message)
            self._segments(message)
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
