"""LinearResponseSelector: picks the answer of a retrieval intent (faq/<key>) with the
same TF-IDF + logistic regression model as LinearIntentClassifier.

It writes exactly what Rasa's ResponseSelector writes under
``response_selector`` (``all_retrieval_intents``, and per retrieval intent the
``response`` with ``intent_response_key``, ``utter_action``, ``responses``,
``confidence``, plus a ``ranking``), so Rasa's built-in ``utter_faq`` action
(ActionRetrieveResponse), the processor's ``full_retrieval_intent_name`` and the
dialogue policies work unchanged. Training takes a second instead of a TensorFlow run and a
prediction about a millisecond; see docs/benchmarks.md for the comparison with
ResponseSelector on the assistant's held-out set.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data import util
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.english_spelling import text_for_encoder
from bot.nlu.linear_classifier import SEGMENTS
from bot.nlu.linear_model import (
    LinearTextModel,
    digit_shape,
    linear_model_defaults,
    message_lemma_text,
    validate_linear_config,
)
from bot.nlu.message_shapes import story_question, strip_courtesy

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(GraphComponent):
    """Response selection for one retrieval intent by a linear model over n-grams."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The retrieval intent whose examples train the selector (None = all
        # retrieval intents, reported under "default" as Rasa does).
        return {**linear_model_defaults(), "retrieval_intent": None}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearTextModel] = None,
        responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
        all_retrieval_intents: Optional[List[Text]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model or LinearTextModel(self.config)
        self.responses = responses or {}
        self.all_retrieval_intents = all_retrieval_intents or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearResponseSelector":
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        validate_linear_config({**cls.get_default_config(), **config})

    @property
    def selector_key(self) -> Text:
        return self.config["retrieval_intent"] or RESPONSE_SELECTOR_DEFAULT_INTENT

    def train(self, training_data: TrainingData) -> Resource:
        retrieval_intent = self.config["retrieval_intent"]
        self.all_retrieval_intents = sorted(training_data.retrieval_intents)
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(TEXT)
            and e.get(INTENT_RESPONSE_KEY)
            and (retrieval_intent is None or e.get(INTENT) == retrieval_intent)
        ]
        if not examples:
            logger.debug("No examples for retrieval intent %s; skipping.", retrieval_intent)
            return self._resource
        self.model.fit(
            [message_lemma_text(e) for e in examples],
            [e.get(INTENT_RESPONSE_KEY) for e in examples],
            [text_for_encoder(e) for e in examples],
        )
        self.responses = {
            key: responses
            for key, responses in training_data.responses.items()
            if any(util.intent_response_key_to_template_key(c) == key for c in self.model.classes)
        }
        self.persist()
        return self._resource

    def _asks_for_an_answer(self, message: Message) -> bool:
        """Whether the intent classifier read the message as this selector's retrieval
        intent. Only then may the optional sentence encoder be asked which answer: a
        greeting's or a form answer's answer ranking is never used, and is most of what
        falls under encoder_below (no answer fits it)."""
        retrieval_intent = self.config.get("retrieval_intent")
        name = (message.get(INTENT) or {}).get("name")
        return retrieval_intent is None or name is None or name == retrieval_intent

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.model.trained:
            return messages
        # A greeting or thanks around the question says nothing about which answer.
        texts = [message_lemma_text(m) for m in messages]
        probabilities = self.model.predict_proba(
            [strip_courtesy(t) or t for t in texts],
            [text_for_encoder(m) for m in messages],
            [self._asks_for_an_answer(m) for m in messages],
        )
        length = int(self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            # A story's question read alone, as the intent classifier does.
            question = story_question(message, digit_shape)
            if question:
                alone = self.model.predict_proba([question])[0]
                if alone.max() > row.max():
                    row = alone
            ranking = sorted(
                (
                    {PREDICTED_CONFIDENCE_KEY: float(conf), INTENT_RESPONSE_KEY: key}
                    for key, conf in zip(self.model.classes, row.tolist())
                ),
                key=lambda r: (-r[PREDICTED_CONFIDENCE_KEY], r[INTENT_RESPONSE_KEY]),
            )
            top = ranking[0]
            utter_action = util.intent_response_key_to_template_key(top[INTENT_RESPONSE_KEY])
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter_action)
                    or [{TEXT: top[INTENT_RESPONSE_KEY]}],
                    PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking[:length] if length > 0 else ranking,
            }
            self._segment_answers(message)
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            properties[self.selector_key] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

    def _segment_answers(self, message: Message) -> None:
        """The best answer for each question of a several-question message that the
        intent classifier took for this retrieval intent (read by bot.nlu.faq_shapes)."""
        for segment in message.get(SEGMENTS) or []:
            if segment[INTENT] != (self.config["retrieval_intent"] or segment[INTENT]):
                continue
            row = self.model.predict_proba([segment[TEXT]])[0]
            best = int(row.argmax())
            segment[INTENT_RESPONSE_KEY] = self.model.classes[best]
            segment["answer_confidence"] = float(row[best])

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            self.model.save(
                model_dir,
                {"responses": self.responses, "all_retrieval_intents": self.all_retrieval_intents},
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearResponseSelector":
        merged = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                model, meta = LinearTextModel.load(merged, model_dir)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s found; using an empty one.", cls.__name__)
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            model,
            meta.get("responses"),
            meta.get("all_retrieval_intents"),
        )
