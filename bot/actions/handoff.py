"""`action_handoff`: queue the conversation for a person and tell the citizen what happens next.

Thin: works out why (button entity, the bot's recent failures, the FAQ just
answered), snapshots what the bot has collected (masked by the service), calls
bot.services.handoff.escalate and utters its working-hours-aware message. Any
form in progress is stopped: the agent takes it from here.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.forms import (
    entity_of,
    event_intent,
    last_bot_response,
    previous_user_event,
    reply_language,
)
from bot.content import ARABIC, message
from bot.services import handoff

logger = logging.getLogger(__name__)

# FAQ answers after which asking for a person means "my case needs a person".
_FAQ_REASONS = {"support_dropped": "support_stopped"}


def _faq_key(event: Dict[str, Any]) -> Optional[str]:
    selector = ((event.get("parse_data") or {}).get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if key.startswith("faq/") else None


def escalation_reason(tracker: Tracker) -> tuple:
    """(reason, detail) for the desk, most specific first."""
    given = tracker.get_slot("handoff_reason") or entity_of(tracker, "handoff_reason")
    form = tracker.active_loop_name
    if given in handoff.REASONS:
        return given, form
    previous = previous_user_event(tracker)
    if event_intent(previous) == "nlu_fallback":
        return "fallback", None
    last_answer = last_bot_response(tracker) or ""
    # The response selector ranks FAQ keys for every message, "yes" included: its key only
    # counts when the message was an FAQ (a citizen asking for a person in the middle of the
    # pre-check was told "sorry your support stopped").
    faq = (_faq_key(previous) if event_intent(previous) == "faq" else None) or (
        last_answer.split("/", 1)[1] if last_answer.startswith("utter_faq/") else None
    )
    if faq in _FAQ_REASONS:
        return _FAQ_REASONS[faq], f"faq:{faq}"
    if form:
        return "requested", f"form:{form}"
    return "requested", None


def unavailable_text(lang: str = ARABIC) -> str:
    return message("handoff.unavailable", lang)


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        reason, detail = escalation_reason(tracker)
        return hand_over(dispatcher, tracker, reason, detail)


def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, detail: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Queue the conversation for an agent and tell the citizen what happens next.

    Shared by the explicit request and the second fallback in a row."""
    lang = reply_language(tracker)
    events: List[Dict[str, Any]] = [SlotSet("handoff_reason", None)]
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    try:
        view = handoff.escalate(
            tracker.sender_id, reason, snapshot=tracker.current_slot_values(), detail=detail
        )
    except Exception:
        logger.exception("could not queue the conversation for an agent")
        dispatcher.utter_message(text=unavailable_text(lang))
        return events
    said = handoff.escalation_message(view, lang=lang)
    dispatcher.utter_message(text=said["text"], buttons=said["buttons"] or None)
    return events
