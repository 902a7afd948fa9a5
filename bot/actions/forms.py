"""What the forms of tickets and objections share: reading the latest message,
extracting typed numbers, counting failed answers, throttling wrong ID/number pairs,
Arabic counted nouns and the common buttons.

A form decides what a message means, not the intent classifier: a message with
digits while a number is asked is always that number; an FAQ, an FAQ button,
"cancel", "talk to a person" or another of these flows is left unextracted, the
form rejects, and the feature's rules (bot/data/<feature>/rules.yml) answer it.
"""
from __future__ import annotations

import re
import time
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services import validators as v

# Intents the forms leave to rules (see module docstring). The rules exist for each.
INTERRUPTIONS = {"faq", "faq_pick", "cancel", "human_handoff"}
SWITCHES = {"open_ticket", "ticket_status", "objection_status", "check_eligibility"}
MAX_FIELD_FAILURES = 3          # then explain and offer a way out (financial-demo style)
MAX_LOOKUP_FAILURES = 3         # wrong ID/number pairs per conversation ...
LOOKUP_WINDOW_SECONDS = 15 * 60  # ... within this window

CANCEL_BUTTON = {"title": "إلغاء", "payload": "/cancel"}
HANDOFF_BUTTON = {"title": "أكلم موظف", "payload": "/human_handoff"}
HANDOFF_FORM_FAILED = {"title": "أكلم موظف",
                       "payload": '/human_handoff{"handoff_reason": "form_failed"}'}
OPEN_TICKET_BUTTON = {"title": "افتح بلاغ", "payload": "/open_ticket"}

# ------------------------------------------------------------------ message helpers

def arabic_count(n: int, one: str, two: str, few: str, many: str) -> str:
    """"رقم واحد"، "رقمين"، "9 أرقام"، "11 رقم": Arabic counted nouns."""
    n = int(n)
    if n == 1:
        return one
    if n == 2:
        return two
    if 3 <= n <= 10:
        return f"{n} {few}"
    return f"{n} {many}"


def digits_phrase(n: int) -> str:
    return arabic_count(n, "رقم واحد", "رقمين", "أرقام", "رقم")


def minutes_phrase(n: int) -> str:
    return arabic_count(n, "دقيقة", "دقيقتين", "دقائق", "دقيقة")


def attempts_phrase(n: int) -> str:
    return arabic_count(n, "محاولة وحدة", "محاولتين", "محاولات", "محاولة")

_HAS_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")


def text_of(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def intent_of(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def is_payload(text: str) -> bool:
    return text.strip().startswith("/")


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


def bump_failures(tracker: Tracker, slot: str, dispatcher: CollectingDispatcher,
                  field: str) -> Dict[Text, Any]:
    """Count failed answers per slot; on the third, explain and offer a way out."""
    counts = dict(tracker.get_slot("form_failures") or {})
    counts[slot] = int(counts.get(slot, 0)) + 1
    if counts[slot] >= MAX_FIELD_FAILURES:
        dispatcher.utter_message(response="utter_form_struggling", field=field,
                                 buttons=[CANCEL_BUTTON, HANDOFF_FORM_FAILED])
        counts[slot] = 0
    return {"form_failures": counts}


def clear_failures(tracker: Tracker, slot: str) -> Dict[Text, Any]:
    counts = dict(tracker.get_slot("form_failures") or {})
    if counts.pop(slot, None) is None:
        return {}
    return {"form_failures": counts}


def recent_lookup_failures(tracker: Tracker, now: Optional[float] = None) -> List[float]:
    now = now or time.time()
    stamps = tracker.get_slot("lookup_failures") or []
    return [float(s) for s in stamps if now - float(s) < LOOKUP_WINDOW_SECONDS]


def lookup_blocked(tracker: Tracker) -> bool:
    return len(recent_lookup_failures(tracker)) >= MAX_LOOKUP_FAILURES


def add_lookup_failure(tracker: Tracker) -> List[float]:
    return recent_lookup_failures(tracker) + [time.time()]


ID_ERRORS = {
    v.EMPTY: "utter_national_id_expected",
    v.LENGTH: "utter_national_id_length",
    v.PREFIX: "utter_national_id_prefix",
    v.CHECKSUM: "utter_national_id_checksum",
}


def validate_id_value(slot: str, value: Any, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> Dict[Text, Any]:
    if value is None:
        return {slot: None}
    parsed = v.parse_national_id(str(value))
    if parsed.ok:
        return {slot: parsed.value, **clear_failures(tracker, slot)}
    dispatcher.utter_message(response=ID_ERRORS.get(parsed.error, "utter_national_id_expected"),
                             digits=digits_phrase(parsed.digits))
    return {slot: None, **bump_failures(tracker, slot, dispatcher, "رقم الهوية")}


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
