"""FaqShapes: the last NLU step, which makes the FAQ answer fit what was asked.

It runs after the FallbackClassifier and changes a parse only when the FAQ is about
to be answered:

- the answer selector is guessing (its confidence under ``answer_threshold``, swept
  on the held-out set: ``python -m bench.run threshold``): the intent becomes
  ``nlu_fallback``, so the citizen is offered the likeliest answers as buttons
  (bot/actions/fallback.py) instead of one picked at random;
- the message holds two questions with two confident, different answers
  (bot.nlu.message_shapes.question_segments): the intent becomes ``multi_intent``
  and ``response_selector.<retrieval intent>.answers`` lists both, for
  ``action_answer_faqs``;
- a pre-check request that names one condition ("انا عمري 17 هل يحق لي التسجيل") or
  tells a situation ("انا ارملة، هل انا مؤهلة؟"): that condition's or situation's
  answer, with the pre-check offered the same way;
- one question is an FAQ and the other asks for a service ("وش الشروط؟ وابي افتح
  بلاغ"), in either order: the intent becomes ``multi_intent`` too, with the answer
  in ``answers`` and the service's intent in ``offer``, so the FAQ is answered and
  the service offered as a button rather than one of the two dropped;
- the chosen answer has variants by the age the citizen gave (bot/content/faq.yml,
  ``derived_from``: a son of 20 gets the adult dependant's share, a daughter of 10
  the minor's): the variant replaces it;
- the message tells a situation an answer speaks to (a widow, a divorcee with
  custody, a job that changes the household's income, a mobility card, a Saudi
  mother: bot.nlu.situations) and the chosen FAQ is one that answer replaces
  (faq.yml ``situation`` and ``situation_from``): that answer replaces it. The key
  the selector chose stays in the prediction (``ORIGINAL_KEY``), which is what the
  NLU benchmark scores. When the selector is unsure (the fallback, or an answer
  under ``answer_threshold``) and the situation is told, its answer is given instead
  of "did you mean" (scored as the FAQ it derives from).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.content import buttons_catalogue, fact, faq_answers
from bot.nlu.linear_classifier import SEGMENTS
from bot.nlu.message_shapes import stated_age
from bot.nlu.situations import situation
from bot.services.parsing import is_question, parse_count

ANSWERS_KEY = "answers"
OFFER_KEY = "offer"
ORIGINAL_KEY = "original_response_key"


@lru_cache(maxsize=None)
def services() -> Tuple[Text, ...]:
    """The services a question beside an FAQ may ask for: those the assistant offers as
    a button (bot/content/buttons.yml), since the offer is that button."""
    return tuple(spec["intent"] for spec in buttons_catalogue().values() if "intent" in spec)


def is_bare_count(text: Text) -> bool:
    """A short message that only states a number, in digits or words ("واحد بس", "ثنين",
    "ولا واحد", "3"), and asks nothing."""
    return len(text.split()) <= 3 and parse_count(text) is not None and not is_question(text)


def age_variant(key: Text, text: Text) -> Optional[Text]:
    """The variant of FAQ `key` (no retrieval prefix) that the age stated in `text`
    selects, from faq.yml entries with `derived_from: key` and `min_age` / `below_age`
    (dotted program facts)."""
    variants = {k: a for k, a in faq_answers().items() if a.get("derived_from") == key}
    if not variants:
        return None
    age = stated_age(text)
    if age is None:
        return None
    for variant, answer in sorted(variants.items()):
        if "min_age" in answer and age >= int(fact(answer["min_age"])):
            return variant
        if "below_age" in answer and age < int(fact(answer["below_age"])):
            return variant
    return None


def situation_answer(text: Text) -> Optional[Text]:
    """The answer written for the situation `text` tells, whatever FAQ was chosen."""
    told = situation(text)
    for key, answer in sorted(faq_answers().items()):
        if told is not None and answer.get("situation") == told:
            return key
    return None


def situation_variant(key: Text, text: Text) -> Optional[Text]:
    """The answer for the situation `text` tells (bot.nlu.situations), when it is one
    that replaces FAQ `key` (faq.yml `situation` and `situation_from`)."""
    told = situation(text)
    if told is None:
        return None
    for variant, answer in sorted(faq_answers().items()):
        if answer.get("situation") == told and key in (answer.get("situation_from") or []):
            return variant
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqShapes(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": "faq",
            # Below this answer-selector confidence the FAQ is not answered but offered.
            "answer_threshold": 0.2,
            # A question of a several-question message counts when its intent is the
            # retrieval intent with at least this confidence (and its answer passes
            # answer_threshold).
            "segment_threshold": 0.5,
            "multi_intent": "faq_multi",
            # A pre-check request that names one condition ("انا عمري 17 هل يحق لي
            # التسجيل") is answered about that condition first, with the pre-check
            # offered, when the answer selector is at least this sure of the condition.
            "precheck_intent": "check_eligibility",
            "condition_answers": [
                "age_rule",
                "single_independent",
                "prison_shelter",
                "residence_rule",
                "foreign_wife",
                "nationality_exceptions",
            ],
            "condition_threshold": 0.6,
            # The whole message's answer replaces the answer of the one question asked
            # beside a service when the selector is at least this sure of it.
            "context_threshold": 0.5,
            # An age that meets the age rule hands the answer to the runner-up condition
            # when it has at least this confidence.
            "runner_up_threshold": 0.2,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqShapes":
        return cls(config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        merged = {**cls.get_default_config(), **config}
        for key in ("answer_threshold", "segment_threshold", "condition_threshold"):
            if not 0.0 <= float(merged[key]) <= 1.0:
                raise ValueError(f"{key} must be in [0, 1]")

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._shape(message)
        return messages

    def _shape(self, message: Message) -> None:
        retrieval = self.config["retrieval_intent"]
        selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(retrieval)
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if not selector or name not in (retrieval, DEFAULT_NLU_FALLBACK_INTENT_NAME, *services()):
            return
        text = message.get(TEXT) or ""
        if name == retrieval and is_bare_count(text):
            # "واحد بس", "ثنين": a count answers a form's question; the NLU cannot see
            # the form, and an unsure FAQ guess would answer a question nobody asked.
            bare = {
                INTENT_NAME_KEY: "inform",
                PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            }
            message.set(INTENT, bare, add_to_output=True)
            return
        several = self._several_answers(message, text)
        offer = self._offered_service(message) if several else None
        if len(several) == 1 and offer:
            several = [self._in_context(selector, several[0], text)]
        if len(several) > 1 or offer:
            self._answer_and_offer(message, selector, several, offer)
            return
        if name == self.config["precheck_intent"]:
            # "انا ارملة، هل انا مؤهلة؟": the case told gets its answer, the pre-check
            # is offered, as for a condition named.
            told = situation_answer(text)
            condition = self._named_condition(selector) or (f"{retrieval}/{told}" if told else None)
            if condition:
                self._answer_and_offer(message, selector, [condition], name)
            return
        prediction = selector[RESPONSE_SELECTOR_PREDICTION_KEY]
        unsure = name != retrieval or prediction[PREDICTED_CONFIDENCE_KEY] < float(
            self.config["answer_threshold"]
        )
        told = situation_answer(text) if unsure else None
        if told and name in (retrieval, DEFAULT_NLU_FALLBACK_INTENT_NAME):
            # The selector is unsure what is asked, but the citizen told their case
            # plainly: the answer written for it rather than "did you mean".
            answered = {
                INTENT_NAME_KEY: retrieval,
                PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            }
            message.set(INTENT, answered, add_to_output=True)
            prediction[INTENT_RESPONSE_KEY] = f"{retrieval}/{told}"
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = f"utter_{retrieval}/{told}"
            prediction.pop(ORIGINAL_KEY, None)
            return
        if name != retrieval:
            return
        if prediction[PREDICTED_CONFIDENCE_KEY] < float(self.config["answer_threshold"]):
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            }
            message.set(INTENT, fallback, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [dict(fallback)] + ranking, add_to_output=True)
            return
        full_key = self._age_not_asked(selector, text) or prediction[INTENT_RESPONSE_KEY]
        if full_key != prediction[INTENT_RESPONSE_KEY]:
            prediction[INTENT_RESPONSE_KEY] = full_key
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = f"utter_{full_key}"
        key = full_key.split("/", 1)[-1]
        variant = age_variant(key, text)
        if variant is None:
            variant = situation_variant(key, text)
            if variant:
                prediction[ORIGINAL_KEY] = full_key
        if variant:
            prediction[INTENT_RESPONSE_KEY] = f"{retrieval}/{variant}"
            prediction[RESPONSE_SELECTOR_UTTER_ACTION_KEY] = f"utter_{retrieval}/{variant}"

    def _answer_and_offer(
        self, message: Message, selector: Dict, answers: List[Text], offer: Optional[Text]
    ) -> None:
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
        multi = {INTENT_NAME_KEY: self.config["multi_intent"], PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, multi, add_to_output=True)
        selector[ANSWERS_KEY] = answers
        if offer:
            selector[OFFER_KEY] = offer

    def _in_context(self, selector: Dict, answer: Text, text: Text) -> Text:
        """The answer to a question asked beside a service ("عندي اعتراض على الدفعة، وش
        الخطوات؟"). Read alone, "وش الخطوات" is the registration steps; the whole message
        says whose steps. The whole message's answer wins when it is sure and the
        question's own answer is not among its three likeliest."""
        prediction = selector[RESPONSE_SELECTOR_PREDICTION_KEY]
        whole = prediction.get(INTENT_RESPONSE_KEY) or ""
        if not whole or whole == answer:
            return answer
        if prediction.get(PREDICTED_CONFIDENCE_KEY, 0.0) < float(self.config["context_threshold"]):
            return answer
        likeliest = [r.get(INTENT_RESPONSE_KEY) for r in (selector.get("ranking") or [])[:3]]
        if answer in likeliest:
            return answer
        variant = age_variant(whole.split("/", 1)[-1], text)
        return f"{self.config['retrieval_intent']}/{variant}" if variant else whole

    def _age_not_asked(self, selector: Dict, text: Text) -> Optional[Text]:
        """ "انا اعزب عمري 24 اقدر اسجل؟" leans to the age rule for the age it names, but an
        age that meets the rule is not what is asked: the runner-up condition is, when the
        selector gives it a fair chance."""
        prediction = selector[RESPONSE_SELECTOR_PREDICTION_KEY]
        retrieval = self.config["retrieval_intent"]
        if prediction.get(INTENT_RESPONSE_KEY) != f"{retrieval}/age_rule":
            return None
        age = stated_age(text)
        if age is None or age < int(fact("eligibility.min_age")):
            return None
        for ranked in (selector.get("ranking") or [])[1:2]:
            key = ranked.get(INTENT_RESPONSE_KEY) or ""
            if key.split("/", 1)[-1] in self.config["condition_answers"] and ranked.get(
                PREDICTED_CONFIDENCE_KEY, 0.0
            ) >= float(self.config["runner_up_threshold"]):
                return key
        return None

    def _named_condition(self, selector: Dict) -> Optional[Text]:
        """The one-condition answer a pre-check request is really asking about ("انا
        عمري 17 هل يحق لي التسجيل"), when the answer selector is sure of it."""
        prediction = selector[RESPONSE_SELECTOR_PREDICTION_KEY]
        key = prediction.get(INTENT_RESPONSE_KEY) or ""
        if key.split("/", 1)[-1] in self.config["condition_answers"] and prediction.get(
            PREDICTED_CONFIDENCE_KEY, 0.0
        ) >= float(self.config["condition_threshold"]):
            return key
        return None

    def _offered_service(self, message: Message) -> Optional[Text]:
        """The first confidently asked service among the message's questions."""
        for segment in message.get(SEGMENTS) or []:
            if segment[INTENT] in services() and segment["confidence"] >= float(
                self.config["segment_threshold"]
            ):
                return segment[INTENT]
        return None

    def _several_answers(self, message: Message, text: Text) -> List[Text]:
        """Distinct confident answers, one per question, in the message's order."""
        answers: List[Text] = []
        for segment in message.get(SEGMENTS) or []:
            key = segment.get(INTENT_RESPONSE_KEY)
            if (
                not key
                or segment[INTENT] != self.config["retrieval_intent"]
                or segment["confidence"] < float(self.config["segment_threshold"])
                or segment["answer_confidence"] < float(self.config["answer_threshold"])
            ):
                continue
            # The segment's lemma has its digits shaped away: the age is read from
            # the whole message, and so is the situation told in another sentence.
            short = key.split("/", 1)[-1]
            variant = age_variant(short, text) or situation_variant(short, text)
            key = f"{self.config['retrieval_intent']}/{variant}" if variant else key
            if key not in answers:
                answers.append(key)
        return answers
