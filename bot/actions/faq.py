"""Answers to a message that asked two FAQs at once (intent faq_multi, set by
bot.nlu.faq_shapes): each answer in turn, in the order they were asked."""

from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content import faq_answers

# At most this many answers to one message: a phone screen, not a brochure.
MAX_ANSWERS = 2


def asked_answers(parse_data: Dict) -> List[Text]:
    """The FAQ keys (without the faq/ prefix) the NLU found in one message, known ones only."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    keys = [str(k).split("/", 1)[-1] for k in selector.get("answers") or []]
    return [k for k in keys if k in faq_answers()][:MAX_ANSWERS]


class ActionAnswerFaqs(Action):
    def name(self) -> Text:
        return "action_answer_faqs"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        keys = asked_answers(tracker.latest_message or {})
        if not keys:
            dispatcher.utter_message(response="utter_fallback_rephrase")
            return []
        for key in keys:
            dispatcher.utter_message(response=f"utter_faq/{key}")
        return []
