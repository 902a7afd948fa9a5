"""FollowupShapes: the NLU step after FaqShapes that marks elliptical follow-ups.

A short question that leans on the answer before it ("وين؟", "والأرملة؟", "كم ياخذ
وقت؟", "ليش؟": bot.services.followups.shapes) means nothing on its own, and read on its
own it got a random FAQ, a "did you mean", or started a form. The NLU cannot see the
conversation, so it only says what the message is: its intent becomes `followup`, and
`followup` holds what it asks (kind, group, age) and the intent it was read as
(`intent`). The rule `followup → action_answer_followup` then answers it against the
previous answer's topic, or, with no topic it fits, as that intent would have been
answered (bot/actions/followups.py), except that a form is offered, never started.

Also here, because it is the same promise: a question about a service (where it is,
what it needs, how to find out: "وين اقدم بلاغ؟", "وش احتاج عشان اتحقق من اهليتي؟", "كيف
اعرف اذا انا مؤهل؟") does not start its form either; it gets an FAQ (the answer selector's
when it is sure, else the service's own from bot/content/followups.yml) with the
service offered as a button (the `faq_multi` shape of FaqShapes, answered by
action_answer_faqs).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    METADATA,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.content import faq_answers, fill, followup_content
from bot.nlu.arabic import normalize
from bot.nlu.arabizi import to_arabic
from bot.nlu.faq_shapes import ANSWERS_KEY, OFFER_KEY
from bot.nlu.language import detect_language
from bot.nlu.script import ARABIZI, language_of
from bot.services.followups.asking import (
    asks_about_service,
    read_case_first,
    read_condition,
    read_correction,
    read_email,
    read_first_question,
    tells_outcome,
)
from bot.services.followups.english import read_english
from bot.services.followups.lines import (
    REPEATED,
    content_words,
    read_about,
    read_line_question,
)
from bot.services.followups.loose import read_loose
from bot.services.followups.papers import read_paper
from bot.services.followups.shapes import (
    ASK_LINE,
    FOLLOWUP_KEY,
    HOW_LONG,
    ORIGINAL_INTENT_KEY,
    TOPIC_KEY,
    UNTIMED_KEY,
    Ellipsis,
    read,
)
from bot.services.followups.steps import read_after, read_step
from bot.services.followups.stories import read_story
from bot.services.followups.timing import asks_time, gives_time
from bot.services.followups.told import read_told
from bot.services.followups.topics import CONTEXT_KEY


def _context(message: Message) -> Dict[Text, Any]:
    """The conversation around the message (bot/patches/parse_context.py); empty
    without it."""
    return (message.get(METADATA) or {}).get(CONTEXT_KEY) or {}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FollowupShapes(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "followup_intent": "followup",
            "retrieval_intent": "faq",
            "multi_intent": "faq_multi",
            # The answer selector's own FAQ answers a question about a service when it
            # is at least this sure; otherwise the service's FAQ (followups.yml).
            "service_answer_threshold": 0.5,
            # Intents kept for their own rules except when the message asks one of these
            # kinds: "ببلاش؟" read as "never mind" asks a price ("بلاش" alone is not
            # read as one), "ومين اكلم؟" read as "a person please" asks whom to call.
            # "كيف اثبت اني مستقل؟ وش الورقة بالضبط؟" read as two questions asks one paper.
            "guarded_intents": {
                "cancel": ["cost"],
                "human_handoff": ["phone"],
                "faq_multi": ["paper"],
            },
            # A where-question read as something else ("no", small talk) is about the
            # service ranked this high at least, this sure.
            "runner_up_rank": 3,
            "runner_up_floor": 0.2,
            # A where-question cannot be a yes or a no: read as one ("ولو ما نزلت ابد وين
            # اشتكي؟" holds a "ما"), the service behind it needs only be ranked.
            "yes_no_intents": ["affirm", "deny"],
            # Intents that answer a form's question: a how/where question read as one of
            # them is answered by the FAQ the selector is sure of.
            "answer_intents": [
                "inform",
                "inform_ticket_category",
                "inform_identifier",
                "resend_code",
            ],
            "yes_no_floor": 0.05,
            # Intents an "and X?" message may have been read as and still be about the
            # answer before ("وتويتر؟" read as the channels again); a form's answers
            # ("وزوجتي") keep their intents.
            "about_intents": ["faq", "nlu_fallback", "out_of_scope"],
            # A group told with "can I register?" gets that group's eligibility answer
            # (topic `told_topic`) when the selector is less than `told_trust` sure, or
            # sure only of one of the general answers.
            "told_intents": ["faq", "check_eligibility", "nlu_fallback"],
            "told_topic": "eligibility_conditions",
            "told_trust": 0.5,
            # A short question continuing the answer before ("ومين يتواصل معي؟") is
            # asked of that answer's lines when the selector is less sure than this of
            # an answer of its own.
            "line_question_trust": 0.5,
            # "طيب وين اشوف الدفعات اللي نزلت قبل؟" after an answer with a line on it
            # ("دفعاتك تلقاها في الدفعات المالية"), read on its own as another answer.
            "strong_line_trust": 0.8,
            "told_general_answers": ["eligibility_conditions", "who_benefits", "program_about"],
            # Intents an elliptical message may have been read as, and that the follow-up
            # action can answer the same way when the message fits no topic. Others
            # (cancel, a person, buttons' intents) keep their own rules.
            "markable_intents": [
                "faq",
                "nlu_fallback",
                "inform",
                "inform_identifier",
                "resend_code",
                "out_of_scope",
                "affirm",
                "deny",
                "greet",
                "thanks",
                "goodbye",
                "bot_challenge",
                "check_eligibility",
                "open_ticket",
                "ticket_status",
                "objection_status",
                # "وفيه رقم ثاني غيره؟" read as the ticket category "other".
                "inform_ticket_category",
            ],
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
    ) -> "FollowupShapes":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._shape(message)
        return messages

    def _shape(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if not text or text.lstrip().startswith("/"):
            return
        if language_of(text) == ARABIZI:
            # "w kam yaa5th lin yrdon?": its shape is read in Arabic letters, as the
            # tokenizer reads its words.
            text = to_arabic(text)
        # "والقيد من وين اطلعه؟" first: read as "where?", it would get where to register.
        ellipsis = (
            read_correction(text)
            or read_paper(text)
            or read_email(text)
            or read_english(text)
            or read_case_first(text)
            or read(text)
            or read_first_question(text)
        )
        guarded = self.config["guarded_intents"].get(name) or ()
        if name not in self.config["markable_intents"] and not (
            ellipsis and ellipsis.kind in guarded
        ):
            return
        told = {}
        if ellipsis is None:
            # "الخطوه الثانيه وش كانت؟", "وبعد ما اغير كلمة المرور؟": one step of the
            # answer before, or the steps after one it gave.
            ellipsis = read_step(text) or read_after(text)
        if ellipsis is None:
            # "كم ياخذ تغيير الايبان؟": answered on the topic if the topic is its subject
            # (bot.services.followups.loose), else as the intent it was read as.
            loose = read_loose(text)
            ellipsis = Ellipsis(loose[0], about=tuple(loose[1])) if loose else None
        if ellipsis is None:
            # A story ending in "كم ياخذ؟": asked on the subject the story names
            # (bot.services.followups.stories).
            story = read_story(text)
            if story:
                ellipsis, told = story[0], {TOPIC_KEY: story[1]}
        if ellipsis is None:
            # "وإذا ما عندي ايبان؟": a condition on the answer before, answered as read
            # but never starting a service's form.
            ellipsis = read_condition(text)
        if ellipsis is None and name in self.config["about_intents"]:
            # "ونسخة القيد؟": a line of the answer before (bot.services.followups.lines).
            ellipsis = read_about(text)
        if ellipsis is None and name in self.config["told_intents"]:
            # "انا موظف حكومي، اقدر اسجل؟": that group's eligibility, unless the selector
            # is sure of an answer that is not a general one (bot.services.followups.told).
            ellipsis = read_told(text) if self._selector_unsure(message) else None
            told = {TOPIC_KEY: self.config["told_topic"]} if ellipsis else told
        # After an answer (the parse's context), less sure still: the action then wants a
        # line that shares two of its words (bot/actions/followups.py).
        after_answer = _context(message).get("topic")
        trust = self.config["line_question_trust" if not after_answer else "strong_line_trust"]
        if (
            ellipsis is None
            and name in self.config["about_intents"]
            and self._selector_below(message, trust)
        ):
            # "وكيف اعرف رقم الطلب؟" after «صوتك مسموع», which the selector cannot place
            # on its own: the line of the answer before that names it, if one does.
            ellipsis = read_line_question(text)
        if ellipsis is None and name == self.config["retrieval_intent"] and not asks_time(text):
            # "بس الرقم القديم ملغي، وش الحل؟" read as the answer just given: that
            # answer's line on it, or that the sources do not hold it. (A time asked is
            # the timing's below: lines rarely hold one.)
            ellipsis = self._repeated(message, text)
        untimed = self._untimed_answer(message, name, text, ellipsis)
        if untimed and ellipsis is None:
            # "كم ياخذ وقت لين يدرسون طلبي؟" nearest to an answer that gives no time: the
            # sources give none for it (bot.services.followups.timing).
            ellipsis, told = Ellipsis(HOW_LONG), {TOPIC_KEY: untimed}
        elif untimed:
            # "كم ياخذ تغيير الايبان؟": on the answer before if it is its subject, else so.
            told = {**told, UNTIMED_KEY: untimed}
        if ellipsis is not None:
            marked = {
                INTENT_NAME_KEY: self.config["followup_intent"],
                PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            }
            message.set(INTENT, marked, add_to_output=True)
            message.set(
                FOLLOWUP_KEY,
                {**ellipsis.as_dict(), ORIGINAL_INTENT_KEY: name, **told},
                add_to_output=True,
            )
            return
        services = followup_content().get("services") or {}
        faq = services.get(name)
        selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(
            self.config["retrieval_intent"]
        )
        told = self._told_service(message, name)
        told_faq = (followup_content().get("told_services") or {}).get(told)
        if told_faq and selector is not None and tells_outcome(text):
            # "سويت التحقق وطلع اني مو مستحق": what the outcome means, the service offered.
            self._offer(
                message, intent, selector, f"{self.config['retrieval_intent']}/{told_faq}", told
            )
            return
        asks = asks_about_service(text)
        runner_up = None if faq else self._service_behind(message, name, services, asks)
        if runner_up and selector is not None and asks:
            # "ولو ما نزلت ابد وين اشتكي؟" read as "no": the service the NLU ranked next
            # is what the where-question is about; its own FAQ answers it.
            answer = f"{self.config['retrieval_intent']}/{services[runner_up]}"
            self._offer(message, intent, selector, answer, runner_up)
            return
        if faq and selector is not None and asks:
            prediction = selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}
            sure = prediction.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= float(
                self.config["service_answer_threshold"]
            )
            answer = prediction.get(INTENT_RESPONSE_KEY) if sure else None
            self._offer(
                message,
                intent,
                selector,
                answer or f"{self.config['retrieval_intent']}/{faq}",
                name,
            )
            return
        if asks and selector is not None and name in self.config["answer_intents"]:
            # "كيف اعترض على الدفعه؟ المبلغ اللي نزل غلط" read as a ticket's category: a
            # how/where question is not a form's answer; the FAQ the selector is sure of.
            prediction = selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}
            if prediction.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= float(
                self.config["service_answer_threshold"]
            ):
                asked = {
                    INTENT_NAME_KEY: self.config["retrieval_intent"],
                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
                }
                message.set(INTENT, asked, add_to_output=True)

    def _offer(
        self, message: Message, intent: Dict, selector: Dict, answer: str, service: str
    ) -> None:
        """Answer `answer` with `service` offered as a button (action_answer_faqs)."""
        multi = {
            INTENT_NAME_KEY: self.config["multi_intent"],
            PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
        }
        message.set(INTENT, multi, add_to_output=True)
        selector[ANSWERS_KEY] = [answer]
        selector[OFFER_KEY] = service

    def _untimed_answer(
        self, message: Message, name: Optional[str], text: str, ellipsis: Optional[Ellipsis]
    ) -> Optional[str]:
        """The FAQ the selector chose for a question about time, when that FAQ gives no
        time; None otherwise (or when the message was read as another kind)."""
        if name != self.config["retrieval_intent"] or not asks_time(text):
            return None
        if ellipsis is not None and (ellipsis.kind != HOW_LONG or not ellipsis.about):
            return None  # "وكم ياخذ؟" leans on the answer before, whatever the NLU found
        key, _ = self._chosen(message)
        answer = faq_answers().get(key)
        if not answer or gives_time(fill(answer["text"])):
            return None
        return key

    @staticmethod
    def _told_service(message: Message, name: Optional[str]) -> Optional[str]:
        """The service a message telling an outcome speaks of: the one it was read as,
        else the one the previous answer told how to use ("قدمته وللحين تحت الدراسه"
        after the objection steps)."""
        content = followup_content()
        if name in (content.get("told_services") or {}):
            return name
        topic = _context(message).get("topic")
        return (content.get("told_after") or {}).get(topic or "")

    def _repeated(self, message: Message, text: str) -> Optional[Ellipsis]:
        """ASK_LINE when the selector chose the answer just given to another message in
        the same language outside a form (bot/patches/parse_context.py hands over the
        context); None otherwise, and always without it."""
        context = _context(message)
        topic = context.get("topic")
        if not topic or context.get("form") or self._chosen(message)[0] != topic:
            return None
        said_before = normalize(context.get("text") or "").strip()
        if said_before in (normalize(text).strip(), normalize(message.get(TEXT) or "").strip()):
            return None  # asked again word for word: the same answer again
        said = detect_language(text)
        if said and context.get("language") and said != context["language"]:
            return None  # asked again in the other language: the answer in it
        return Ellipsis(ASK_LINE, group=REPEATED, about=tuple(content_words(text)))

    def _chosen(self, message: Message) -> Tuple[str, float]:
        """The FAQ the answer selector chose (no retrieval prefix) and how sure it is."""
        selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(
            self.config["retrieval_intent"]
        ) or {}
        prediction = selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}
        key = str(prediction.get(INTENT_RESPONSE_KEY) or "").split("/", 1)[-1]
        return key, float(prediction.get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    def _selector_below(self, message: Message, trust: float) -> bool:
        return self._chosen(message)[1] < float(trust)

    def _selector_unsure(self, message: Message) -> bool:
        key, confidence = self._chosen(message)
        sure = confidence >= self.config["told_trust"]
        return not sure or key in self.config["told_general_answers"]

    def _service_behind(
        self, message: Message, name: Optional[str], services: Dict[str, str], asks: bool
    ) -> Optional[str]:
        """A service among the NLU's first intents when the message was read as none of
        the FAQs or services (a "no", small talk, an unclear message)."""
        if name in services or name == self.config["retrieval_intent"]:
            return None
        floor = float(self.config["runner_up_floor"])
        if asks and name in self.config["yes_no_intents"]:
            floor = float(self.config["yes_no_floor"])
        for row in (message.get(INTENT_RANKING_KEY) or [])[: self.config["runner_up_rank"]]:
            if (
                row.get(INTENT_NAME_KEY) in services
                and float(row.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= floor
            ):
                return row[INTENT_NAME_KEY]
        return None
