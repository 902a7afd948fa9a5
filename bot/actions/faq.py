"""Answers to a message that asked two things at once (intent faq_multi, set by
bot.nlu.faq_shapes): each FAQ answer in turn, in the order they were asked, then the
service the other question asked for, offered as a button (a form is not started
under an answer the citizen is still reading)."""

from __future__ import annotations

from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.forms import reply_language
from bot.content import ARABIC, faq_answers, intent_button

# At most this many answers to one message: a phone screen, not a brochure.
MAX_ANSWERS = 2


def asked_answers(parse_data: Dict) -> List[Text]:
    """The FAQ keys (without the faq/ prefix) the NLU found in one message, known ones only."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    keys = [str(k).split("/", 1)[-1] for k in selector.get("answers") or []]
    return [k for k in keys if k in faq_answers()][:MAX_ANSWERS]


def offered_service(parse_data: Dict, lang: str = ARABIC) -> Optional[Dict[Text, Text]]:
    """The button for the service a second question asked for, if any."""
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    offer = selector.get("offer")
    return intent_button(str(offer), lang) if offer else None


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
        service = offered_service(tracker.latest_message or {}, reply_language(tracker))
        if service:
            dispatcher.utter_message(
                response="utter_offer_service", buttons=[service], request=service["title"]
            )
        return []
