"""Answers a follow-up (intent `followup`, set by bot/nlu/followup_shapes.py) against
the topic of the previous answer: "وين؟" after the registration steps gets where to
register, "والأرملة؟" after who benefits gets the widow's case, "ليش؟" after a
pre-check result gets its reasons (bot.services.followups).

When the previous answer gave no topic, or the topic has nothing on what was asked,
the message is answered as the intent the NLU read it as would have been (an FAQ
answer, "did you mean", small talk), with one difference: a service is offered as a
button instead of starting its form, since a short question is not a request to
start one. The answer is in the conversation's language (the `language` slot).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionAffirm, ActionFallback
from bot.actions.forms import reply_language
from bot.actions.tickets import ActionNumberWithoutContext
from bot.content import faq_answers, faq_text, fill, followup_content, intent_button
from bot.nlu.arabic import normalize
from bot.services.followups.english import read_english
from bot.services.followups.lines import REPEATED, content_words, line_needs
from bot.services.followups.papers import PAPER_WORDS, PROOF
from bot.services.followups.picker import (
    Answer,
    other_answer,
    pick,
    pick_after,
    pick_line,
    pick_step,
    related_answer,
    unknown_on_topic,
)
from bot.services.followups.shapes import (
    ABOUT,
    AFTER,
    ASK_LINE,
    AUTHORITY,
    BASIS,
    CALLBACK,
    CORRECTION,
    DELIVERY,
    EMAIL,
    FOLLOWUP_KEY,
    HOW,
    IF,
    NEXT,
    ORIGINAL_INTENT_KEY,
    PAPER,
    START,
    STEP,
    TOPIC_KEY,
    UNTIMED_KEY,
    WHAT,
    WHERE,
    WHO,
    Ellipsis,
    read,
)
from bot.services.followups.steps import steps_of
from bot.services.followups.topics import TOPIC_SLOT, topic_of

# Intents answered by a plain response, and by another action's logic, as their rules do.
RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_thanks",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "deny": "utter_deny_ack",
}
ACTIONS = {"affirm": ActionAffirm, "inform_identifier": ActionNumberWithoutContext}
# "كيف؟" after the steps: the same answer again is what "how" asks for.
RESTATED = {HOW}
# Placed outside the program by the NLU (what it could not place at all goes to the
# fallback, which leans on the previous answer the same way).
OFF_TOPIC = {"out_of_scope"}
# "وإذا ما وصلني الرمز؟" read as a request to resend an objection's code.
SERVICE_OF = {"resend_code": "objection_status"}
# "والاعتراض؟" after the registration steps: the selector this sure of another answer
# than the previous one is trusted over a line of the previous one.
OWN_ANSWER_TRUST = 0.5
# ... and this sure even over a line of the previous answer that names two of its words.
STRONG_LINE_TRUST = 0.8
# Kinds that ask about the program itself, answered on these topics with none before.
# The answer that lists the documents: a paper question's own, never repeated before it.
PAPERS_ANSWER = "required_documents"
PROGRAM_TOPICS = {
    PAPER: PAPERS_ANSWER,  # "وين اطلع بطاقة التنقل؟" asked first
    EMAIL: "contact_channels",
    BASIS: "eligibility_conditions",
    START: "program_about",
    AUTHORITY: "program_about",
}
# Kinds a line of the previous answer can answer ("ومين يتواصل معي؟", "ويوصلني على وين؟");
# a length of time, a price or a count asked is rarely in the line that names the thing.
LINE_KINDS = {ABOUT, ASK_LINE, WHERE, WHAT, DELIVERY, NEXT, CALLBACK, WHO}


def _line_can_answer(ellipsis: Optional[Ellipsis]) -> bool:
    return ellipsis is None or ellipsis.kind in LINE_KINDS


_HOW = re.compile(r"^\s*(?:طيب\s+)?(?:و\s*)?(?:كيف|شلون)\s|^\s*(?:and\s+|so\s+)?how\b", re.I)
# Read on its own as nothing the NLU could place.
UNPLACED = {"nlu_fallback", "out_of_scope"}


# "وكيف احدثها؟", "طيب كيف اصلحه؟": how to do "it", the thing the answer before was about.
_HOW_IT = re.compile(r"(?:^|\s)و?(?:كيف|شلون)\s+[انيت]\S{2,6}(?:ه|ها|هم)(?:\s|[؟?]|$)")


def _how_again(text: str, topic: str, marked: Dict) -> bool:
    """ "وكيف أصححها؟" after the steps to update, read on its own as nothing or asking
    how to do "it": how to do what those steps do."""
    unplaced = marked.get(ORIGINAL_INTENT_KEY) in UNPLACED
    asked = (unplaced and _HOW.match(text)) or _HOW_IT.search(normalize(text))
    return bool(asked) and bool(steps_of(fill(faq_text(topic))))


def faq_key(parse_data: Dict[str, Any]) -> Optional[str]:
    """The FAQ answer the NLU chose for the message (no retrieval prefix), if a known one."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    full = (selector.get("response") or {}).get("intent_response_key") or ""
    key = full.split("/", 1)[-1]
    return key if key in faq_answers() else None


def faq_confidence(parse_data: Dict[str, Any]) -> float:
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    return float((selector.get("response") or {}).get("confidence") or 0.0)


def answer_on_its_own(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict, intent: Optional[str]
) -> List:
    """The message answered as the intent it was read as, a service offered, not started."""
    parse = tracker.latest_message or {}
    if intent == "faq":
        key = faq_key(parse)
        if key:
            dispatcher.utter_message(response=f"utter_faq/{key}")
            return []
    service = intent_button(SERVICE_OF.get(intent or "", intent or ""), reply_language(tracker))
    if service:
        dispatcher.utter_message(
            response="utter_followup_offer", buttons=[service], request=service["title"]
        )
        return []
    if intent in RESPONSES:
        dispatcher.utter_message(response=RESPONSES[intent])
        return []
    return ACTIONS.get(intent or "", ActionFallback)().run(dispatcher, tracker, domain)


class ActionAnswerFollowup(Action):
    def name(self) -> Text:
        return "action_answer_followup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        parse = tracker.latest_message or {}
        marked = parse.get(FOLLOWUP_KEY) or {}
        text = parse.get("text") or ""
        ellipsis = Ellipsis.from_dict(marked) or read_english(text) or read(text)
        form = (tracker.active_loop or {}).get("name")
        # Asked inside a form right after its question: about the service it runs.
        topic = (
            marked.get(TOPIC_KEY)  # a story's own subject
            or topic_of(tracker.events)
            or (followup_content().get("forms") or {}).get(form or "")
            # "على وش يحددون الاهلية؟" asked first: about the program, whatever came before.
            or PROGRAM_TOPICS.get(ellipsis.kind if ellipsis else "")
        )
        lang = reply_language(tracker)
        if ellipsis is not None and ellipsis.kind in (ABOUT, ASK_LINE):
            words = list(ellipsis.about)
            need = line_needs(words, ellipsis.group) if ellipsis.kind == ASK_LINE else 1
            answer = self._line(tracker, topic, words, marked, lang, need)
            if (
                answer is None
                and topic in faq_answers()
                and (ellipsis.group == REPEATED or _how_again(text, topic, marked))
            ):
                # No line names it: the answer it was read as, whole, as Rasa would; or
                # "وكيف أصححها؟" after steps the NLU placed nowhere else: those steps.
                answer = Answer(f"faq.{topic}", "", faq=topic)
        elif ellipsis is not None and ellipsis.kind == AFTER:
            answer = pick_after(topic, list(ellipsis.about), lang)
        elif ellipsis is not None and ellipsis.kind == PAPER and ellipsis.group == PROOF:
            topic = self._paper_subject(dispatcher, parse, marked, topic)
            # "وش الورقة اللي تثبت دخلي؟": the document the sources name for it, if any.
            named = [w for w in content_words(text) if w not in PAPER_WORDS]
            answer = pick_line(PAPERS_ANSWER, named, lang) or pick(
                topic, ellipsis, tracker.slots, lang
            )
        elif ellipsis is not None and ellipsis.kind == PAPER:
            topic = self._paper_subject(dispatcher, parse, marked, topic)
            answer = pick(topic, ellipsis, tracker.slots, lang)
        elif ellipsis is not None and ellipsis.kind == CORRECTION:
            answer = self._corrected(tracker, topic)
        elif ellipsis is not None and ellipsis.kind == STEP:
            answer = pick_step(topic, int(ellipsis.about[0]), lang)
        else:
            answer = pick(topic, ellipsis, tracker.slots, lang)
        if answer is None and marked.get(UNTIMED_KEY) and ellipsis is not None:
            # A time asked of an answer that gives none, not the answer before's subject.
            topic = marked[UNTIMED_KEY]
            answer = pick(topic, Ellipsis(ellipsis.kind), tracker.slots, lang)
        if answer is None:
            intent = marked.get(ORIGINAL_INTENT_KEY)
            return self._unanswered(dispatcher, tracker, domain, topic, ellipsis, intent)
        if answer.faq:
            dispatcher.utter_message(response=f"utter_faq/{answer.faq}")
            return [SlotSet(TOPIC_SLOT, answer.faq)]
        dispatcher.utter_message(text=answer.text, buttons=answer.buttons or None)
        # The topic stays, so a third message ("وإذا تأخر؟") leans on it too.
        return [SlotSet(TOPIC_SLOT, topic)]

    @staticmethod
    def _line(
        tracker: Tracker,
        topic: Optional[str],
        words: List[str],
        marked: Dict,
        lang: str,
        need: int = 1,
    ):
        """ "ونسخة القيد؟": the previous answer's line on it, unless the NLU is sure the
        message asks another answer ("والاعتراض؟" after the registration steps)."""
        parse = tracker.latest_message or {}
        own = faq_key(parse) if marked.get(ORIGINAL_INTENT_KEY) == "faq" else None
        if own and own != topic and faq_confidence(parse) >= OWN_ANSWER_TRUST:
            # Fairly sure of another answer: only a line naming two of its words, and
            # naming them alone ("وين اشوف الدفعات اللي نزلت قبل؟" → "الدفعات المالية").
            if faq_confidence(parse) >= STRONG_LINE_TRUST or len(words) < 2:
                return None
            return pick_line(topic, words, lang, max(need, 2), alone=True)
        # Read as the answer just given: a line only where one alone names it.
        return pick_line(topic, words, lang, need, alone=marked.get("group") == REPEATED)

    @staticmethod
    def _paper_subject(
        dispatcher: CollectingDispatcher, parse: Dict, marked: Dict, topic: Optional[str]
    ) -> Optional[str]:
        """ "how can I prove I live on my own?": what the sources say of the subject (the
        FAQ the selector is sure of) comes first, then that they name no paper for it;
        the subject becomes the topic."""
        own = faq_key(parse) if marked.get(ORIGINAL_INTENT_KEY) == "faq" else None
        if not own or own in (topic, PAPERS_ANSWER) or faq_confidence(parse) < OWN_ANSWER_TRUST:
            return topic
        dispatcher.utter_message(response=f"utter_faq/{own}")
        return own

    @staticmethod
    def _corrected(tracker: Tracker, topic: Optional[str]) -> Optional[Answer]:
        """ "لا قصدي رقم الجوال مو كلمة المرور": the selector's best answer other than the
        one just given; None (read on its own) when it has none."""
        selector = ((tracker.latest_message or {}).get("response_selector") or {}).get("faq")
        key = other_answer(topic, (selector or {}).get("ranking") or [])
        return Answer(key, "", faq=key) if key else None

    def _unanswered(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict,
        topic: Optional[str],
        ellipsis: Optional[Ellipsis],
        intent: Optional[str],
    ) -> List:
        """Nothing on the topic for what was asked: the message as read on its own,
        except where that would leave the topic for nothing."""
        lang = reply_language(tracker)
        unknown = unknown_on_topic(topic, lang=lang)
        if unknown and intent in OFF_TOPIC:
            # After an answer, a follow-up read as off-topic on its own is about that
            # answer: an answer near it the NLU ranked high, else what the sources do not
            # give on it, never "outside what I can help with".
            return self._on_topic_after_all(dispatcher, tracker, topic)
        service = intent_button(SERVICE_OF.get(intent or "", intent or ""), lang)
        if unknown and service and ellipsis is not None and ellipsis.kind == IF:
            # "وإذا ما عندي ايبان؟" read as the pre-check: a condition the sources do not
            # settle, with the service one tap away rather than started.
            dispatcher.utter_message(text=unknown, buttons=[service])
            return [SlotSet(TOPIC_SLOT, topic)]
        repeated = intent == "faq" and faq_key(tracker.latest_message or {}) == topic
        if unknown and repeated and (ellipsis is None or ellipsis.kind not in RESTATED):
            # Read on its own, it gets the very answer it follows: the line of that answer
            # on what is asked ("ومين يتواصل معي؟" after «صوتك مسموع»), else it does not
            # hold it ("وإذا الحساب مو باسمي؟" after the IBAN steps).
            words = content_words((tracker.latest_message or {}).get("text") or "")
            asked = ellipsis is not None and ellipsis.kind == ASK_LINE
            need = line_needs(words, ellipsis.group) if asked else 1
            line = pick_line(topic, words, lang, need) if _line_can_answer(ellipsis) else None
            dispatcher.utter_message(text=line.text if line else unknown)
            return [SlotSet(TOPIC_SLOT, topic)]
        return answer_on_its_own(dispatcher, tracker, domain, intent)

    @staticmethod
    def _on_topic_after_all(
        dispatcher: CollectingDispatcher, tracker: Tracker, topic: Optional[str]
    ) -> List:
        selector = ((tracker.latest_message or {}).get("response_selector") or {}).get("faq") or {}
        near = related_answer(topic, selector.get("ranking") or [])
        if near:
            dispatcher.utter_message(response=f"utter_faq/{near}")
            return [SlotSet(TOPIC_SLOT, near)]
        dispatcher.utter_message(text=unknown_on_topic(topic, lang=reply_language(tracker)))
        return [SlotSet(TOPIC_SLOT, topic)]
