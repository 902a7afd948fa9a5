"""Two-stage fallback, FAQ buttons and "yes" to the bot's own offer.

Stage 1 (first message the NLU is unsure about): "did you mean ...?" with the top
intents, and for FAQs the top answers, as buttons in the citizen's language, plus
"something else".
Stage 2 (a second unclear message in a row, or "something else"): the conversation
is queued for an agent (bot.actions.handoff.hand_over), and the citizen is told the
wait, or outside working hours the "صوتك مسموع" ticket and the unified number.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.forms import entity_of, last_bot_buttons, previous_user_intent, reply_language
from bot.actions.handoff import hand_over
from bot.content import (
    ARABIC,
    buttons_catalogue,
    faq_answers,
    faq_title,
    intent_button,
    message,
)
from bot.services.followups.lines import content_words
from bot.services.followups.picker import pick_line, related_answer, unknown_on_topic
from bot.services.followups.topics import TOPIC_SLOT, topic_of

# Intents worth suggesting; small talk is not a useful "did you mean".
_SKIP = {
    "nlu_fallback",
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "out_of_scope",
    "faq",
    "faq_multi",
    "faq_pick",
    "bot_challenge",
    "cancel",
    "inform",
}
MAX_SUGGESTIONS = 3
MIN_CONFIDENCE = 0.05


def _faq_button(key: str, lang: str) -> Dict[str, str]:
    payload = "/faq_pick" + json.dumps({"faq_key": key}, ensure_ascii=False)
    return {"title": faq_title(key, lang), "payload": payload}


def suggestions(parse_data: Dict[str, Any], lang: str = ARABIC) -> List[Dict[str, str]]:
    """Buttons for the most likely meanings of an unclear message, best first."""
    ranked: List[tuple] = []
    for item in parse_data.get("intent_ranking") or []:
        name, confidence = item.get("name"), item.get("confidence", 0.0)
        if name == "faq":
            selector = (parse_data.get("response_selector") or {}).get("faq") or {}
            for candidate in selector.get("ranking") or []:
                key = (candidate.get("intent_response_key") or "").split("/", 1)[-1]
                if key in faq_answers():
                    # Joint probability: "it is an FAQ" x "it is this FAQ".
                    ranked.append(
                        (confidence * candidate.get("confidence", 0.0), _faq_button(key, lang))
                    )
        elif name not in _SKIP:
            service = intent_button(name, lang)
            if service:
                ranked.append((confidence, service))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    seen, result = set(), []
    for confidence, btn in ranked:
        if confidence < MIN_CONFIDENCE or btn["payload"] in seen:
            continue
        seen.add(btn["payload"])
        result.append(btn)
        if len(result) == MAX_SUGGESTIONS:
            break
    return result


# A short message after an answer is most often about that answer: one the NLU could
# not place is answered with the FAQ near the previous one that it ranked high
# (bot.services.followups.picker.related_answer) rather than "did you mean".
SHORT_WORDS = 8


def _near_previous_answer(tracker: Tracker) -> Optional[str]:
    parse = tracker.latest_message or {}
    if len((parse.get("text") or "").split()) > SHORT_WORDS:
        return None
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    return related_answer(topic_of(tracker.events), selector.get("ranking") or [])


# A longer one ("and if they accept do i get the missing amount back?") must share two
# of its words with the line.
LONGER_WORDS = 14


def _line_of_previous_answer(tracker: Tracker, lang: str) -> Optional[str]:
    """A short message the NLU could not place that names something a line of the
    previous answer says ("وبعدها وش اضغط؟" after the IBAN steps: 'اضغط "حفظ"')."""
    text = (tracker.latest_message or {}).get("text") or ""
    size = len(text.split())
    if size > LONGER_WORDS:
        return None
    need = 1 if size <= SHORT_WORDS else 2
    line = pick_line(topic_of(tracker.events), content_words(text), lang, need)
    return line.text if line else None


def _unknown_after_previous_answer(tracker: Tracker, lang: str, choices: bool) -> Optional[str]:
    """A short question after an answer that nothing on its topic answers: what the
    sources do not give, with the unified number, in the citizen's language."""
    text = (tracker.latest_message or {}).get("text") or ""
    if len(text.split()) > SHORT_WORDS:
        return None
    return unknown_on_topic(topic_of(tracker.events), choices, lang)


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        if previous_user_intent(tracker) == "nlu_fallback":
            return hand_over(dispatcher, tracker, "fallback")
        nearby = _near_previous_answer(tracker)
        if nearby:
            dispatcher.utter_message(response=f"utter_faq/{nearby}")
            return []
        lang = reply_language(tracker)
        # Answered on the previous answer's topic: it stays, so a third message ("طيب وش
        # اسوي؟") leans on it too.
        topic = topic_of(tracker.events)
        kept = [SlotSet(TOPIC_SLOT, topic)] if topic else []
        line = _line_of_previous_answer(tracker, lang)
        if line:
            dispatcher.utter_message(text=line)
            return kept
        buttons = suggestions(tracker.latest_message or {}, lang)
        unknown = _unknown_after_previous_answer(tracker, lang, bool(buttons))
        if buttons:
            buttons.append({"title": message("fallback.something_else", lang), "payload": "/deny"})
        if unknown:
            # Said plainly, with the line to ask, rather than "did you mean".
            dispatcher.utter_message(text=unknown, buttons=buttons or None)
            return kept
        if not buttons:
            dispatcher.utter_message(response="utter_fallback_rephrase")
            return []
        dispatcher.utter_message(response="utter_fallback_suggest", buttons=buttons)
        return []


class ActionFallbackEscalate(Action):
    def name(self) -> Text:
        return "action_fallback_escalate"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        return hand_over(dispatcher, tracker, "fallback")


class ActionAnswerFaqPick(Action):
    """Answers an FAQ chosen by button (the ResponseSelector only runs on typed text)."""

    def name(self) -> Text:
        return "action_answer_faq_pick"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        key = entity_of(tracker, "faq_key") or tracker.get_slot("faq_key")
        if key in faq_answers():
            dispatcher.utter_message(response=f"utter_faq/{key}")
        else:
            dispatcher.utter_message(response="utter_fallback_rephrase")
        return []


class ActionAffirm(Action):
    """ "Yes" right after the bot offered something: do the first thing it offered."""

    def name(self) -> Text:
        return "action_affirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        buttons = last_bot_buttons(tracker)
        if buttons:
            payload = buttons[0].get("payload") or ""
            if payload.startswith("/faq_pick"):
                key = json.loads(payload[len("/faq_pick") :] or "{}").get("faq_key")
                if key in faq_answers():
                    dispatcher.utter_message(response=f"utter_faq/{key}")
                    return []
            follow = _followup_for(payload.lstrip("/"))
            if follow:
                return [FollowupAction(follow)]
        dispatcher.utter_message(response="utter_affirm_ack")
        return []


def _followup_for(intent: str) -> Optional[str]:
    for spec in buttons_catalogue().values():
        if spec.get("intent") == intent and spec.get("action"):
            return spec["action"]
    return None
