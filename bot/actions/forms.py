"""What the forms and actions share: reading the latest message and the conversation's
history, counting wrong answers, and taking numbers out of a reply.

Everything here reads a rasa_sdk Tracker and nothing else; what an answer means is
decided in bot/services (validators, parsing, eligibility_answers).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker

# Intents a form leaves to the rules (an FAQ, cancel, a person: the form resumes or
# stops after) and intents that start another flow. The rules exist for each.
INTERRUPTIONS = {"faq", "faq_pick", "cancel", "human_handoff"}
SWITCHES = {"open_ticket", "ticket_status", "objection_status", "check_eligibility"}

_HAS_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")


# ------------------------------------------------------------------ the latest message

def text_of(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def intent_of(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def confidence_of(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def entity_of(tracker: Tracker, entity: str) -> Optional[Any]:
    """The first value of `entity` in the latest message (a button's payload), if any."""
    return next(tracker.get_latest_entity_values(entity), None)


def is_payload(text: str) -> bool:
    return text.strip().startswith("/")


# ------------------------------------------------------------------ the history

def user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def event_intent(event: Dict[str, Any]) -> Optional[str]:
    """Intent of a user event as the NLU read it."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def previous_user_event(tracker: Tracker) -> Dict[str, Any]:
    """The user message before the latest one ({} if there is none)."""
    users = user_events(tracker)
    return users[-2] if len(users) >= 2 else {}


def previous_user_intent(tracker: Tracker) -> Optional[Text]:
    """Intent of the user message before the latest one, if any."""
    return event_intent(previous_user_event(tracker))


def last_bot_event(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return event
    return None


def last_bot_buttons(tracker: Tracker) -> List[Dict[str, Any]]:
    """Buttons of the bot's latest message (the offer the user is answering)."""
    event = last_bot_event(tracker)
    return ((event or {}).get("data") or {}).get("buttons") or []


def last_bot_response(tracker: Tracker) -> Optional[str]:
    """The domain response (e.g. `utter_faq/support_dropped`) the bot uttered last."""
    event = last_bot_event(tracker)
    return None if event is None else (event.get("metadata") or {}).get("utter_action")


def resumes_after_faq(tracker: Tracker, form: str) -> bool:
    """True when `form` asks again right after answering something else (an FAQ)."""
    for event in reversed(tracker.events):
        if event.get("event") == "action":
            name = event.get("name")
            if name in (form, "action_listen", None) or name.startswith("action_ask_"):
                continue
            return name.startswith("utter_faq") or name == "action_answer_faq_pick"
        if event.get("event") == "user":
            return False
    return False


# ------------------------------------------------------------------ extraction

def leave_to_rules(tracker: Tracker, form_intent: str) -> bool:
    """True when the message is an interruption the rules answer (not a slot value):
    an FAQ, an FAQ button, cancel, talk to a person, or another of these flows.
    Anything else (including other buttons) stays a candidate value for the slot,
    so the form answers it and no rule-less state is ever reached."""
    return intent_of(tracker) in INTERRUPTIONS | (SWITCHES - {form_intent})


def extract_number_text(tracker: Tracker, slot: str, form_intent: str) -> Dict[Text, Any]:
    """Custom extraction for a slot that holds a number typed by the citizen."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    text = text_of(tracker)
    if _HAS_DIGIT.search(text) and not is_payload(text):
        return {slot: text}
    if leave_to_rules(tracker, form_intent):
        return {}
    return {slot: text}          # no digits: the validator explains what is expected


def prefill(tracker: Tracker, requested: str, parsers: Dict[str, Any],
            form_intent: str) -> Dict[Text, Any]:
    """Extraction for forms of several numbers: a message may carry more than one
    ("رقم البلاغ 12345674 وهويتي 10..."); fill every empty slot it contains."""
    if tracker.get_slot("requested_slot") != requested:
        return {}
    base = extract_number_text(tracker, requested, form_intent)
    if not base:
        return {}
    text = text_of(tracker)
    found = {}
    for slot, parse in parsers.items():
        if slot != requested and tracker.get_slot(slot) is None and parse(text).ok:
            found[slot] = parse(text).value
    if found and not parsers[requested](text).ok:
        return found                    # e.g. the ID arrived when the number was asked
    return {**base, **found}


# ------------------------------------------------------------------ wrong answers

class FailureCounter:
    """Wrong answers in a row to each question of a form, kept in one slot as
    {question slot: count}. Every `limit()`-th one in a row the form explains and
    offers a way out (financial-demo style); a good answer starts the count again.

    `limit` is called each time, so a figure read from program content stays current."""

    def __init__(self, slot: str, limit: Callable[[], int]) -> None:
        self.slot = slot
        self.limit = limit

    def counts(self, tracker: Tracker) -> Dict[str, int]:
        value = tracker.get_slot(self.slot)
        return {k: int(v) for k, v in value.items()} if isinstance(value, dict) else {}

    def bump(self, tracker: Tracker, question: str) -> Tuple[Dict[Text, Any], bool]:
        """One more wrong answer to `question`: (slot values to set, offer a way out now)."""
        counts = self.counts(tracker)
        counts[question] = counts.get(question, 0) + 1
        return {self.slot: counts}, counts[question] % self.limit() == 0

    def clear(self, tracker: Tracker, question: str) -> Dict[Text, Any]:
        """A good answer to `question`: forget its count (nothing to set if it had none)."""
        counts = self.counts(tracker)
        if counts.pop(question, None) is None:
            return {}
        return {self.slot: counts or None}
