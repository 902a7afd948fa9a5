"""What the forms and actions share: reading the latest message and the conversation's
history, extracting typed numbers, counting wrong answers, throttling wrong ID/number
pairs, counted nouns ("رقمين", "2 digits") and the common buttons, in the language the
conversation is answered in (`reply_language`).

A form decides what a message means, not the intent classifier: a message with
digits while a number is asked is always that number; an FAQ, an FAQ button,
"cancel", "talk to a person" or another of these flows is left unextracted, the
form rejects, and the feature's rules (bot/data/<feature>/rules.yml) answer it.
Everything here reads a rasa_sdk Tracker; what an answer means is decided in
bot/services (validators, parsing, eligibility_answers).
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content import ARABIC, ENGLISH, case_text, language_of
from bot.services.followups.shapes import (
    ABOUT,
    AFTER,
    ASK_LINE,
    ASKING,
    FOLLOWUP_KEY,
    ORIGINAL_INTENT_KEY,
    STEP,
)
from bot.services.verification import validators as v

# Intents a form leaves to the rules (an FAQ, cancel, a person: the form resumes or
# stops after) and intents that start another flow. The rules exist for each.
INTERRUPTIONS = {"faq", "faq_multi", "faq_pick", "cancel", "human_handoff"}
SWITCHES = {"open_ticket", "ticket_status", "objection_status", "check_eligibility"}
MAX_FIELD_FAILURES = 3  # then explain and offer a way out (financial-demo style)
MAX_LOOKUP_FAILURES = 3  # wrong ID/number pairs per conversation ...
LOOKUP_WINDOW_SECONDS = 15 * 60  # ... within this window

# The buttons the actions add to their replies: payloads here, titles in
# bot/content/cases.yml (forms.buttons) in either language.
PAYLOADS = {
    "cancel": "/cancel",
    "handoff": "/human_handoff",
    "handoff_form_failed": '/human_handoff{"handoff_reason": "form_failed"}',
    "open_ticket": "/open_ticket",
    "ticket_status": "/ticket_status",
    "objection_status": "/objection_status",
    "send_ticket": "/affirm",
    "edit_ticket": "/deny",
    "try_again": "/ticket_status",
    "resend_code": "/resend_code",
}
# Buttons that share another's title.
_SAME_TITLE = {"handoff_form_failed": "handoff"}

_HAS_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")


# ------------------------------------------------------------------ message helpers


def form_button(name: str, lang: str = ARABIC) -> Dict[str, str]:
    """{title, payload} of a common button ("cancel", "handoff", "open_ticket" ...)."""
    title = case_text(f"forms.buttons.{_SAME_TITLE.get(name, name)}", lang)
    return {"title": title, "payload": PAYLOADS[name]}


def field_name(name: str, lang: str = ARABIC) -> str:
    """ "رقم الهوية" / "the ID number": the answer a form keeps failing on."""
    return case_text(f"forms.fields.{name}", lang)


def arabic_count(n: int, one: str, two: str, few: str, many: str) -> str:
    """ "رقم واحد"، "رقمين"، "9 أرقام"، "11 رقم": Arabic counted nouns."""
    n = int(n)
    if n == 1:
        return one
    if n == 2:
        return two
    if 3 <= n <= 10:
        return f"{n} {few}"
    return f"{n} {many}"


def english_count(n: int, noun: str) -> str:
    """ "1 digit", "9 digits": English counted nouns."""
    n = int(n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def digits_phrase(n: int, lang: str = ARABIC) -> str:
    if lang == ENGLISH:
        return english_count(n, "digit")
    return arabic_count(n, "رقم واحد", "رقمين", "أرقام", "رقم")


def minutes_phrase(n: int, lang: str = ARABIC) -> str:
    if lang == ENGLISH:
        return english_count(n, "minute")
    return arabic_count(n, "دقيقة", "دقيقتين", "دقائق", "دقيقة")


def attempts_phrase(n: int, lang: str = ARABIC) -> str:
    if lang == ENGLISH:
        return english_count(n, "attempt")
    return arabic_count(n, "محاولة وحدة", "محاولتين", "محاولات", "محاولة")


# ------------------------------------------------------------------ the latest message


def text_of(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def reply_language(tracker: Tracker) -> str:
    """The language to answer in: the `language` slot (bot/nlu/language_tagger.py), Arabic
    while it is unset."""
    return language_of(tracker.get_slot("language"))


def intent_of(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def answer_intent_of(tracker: Tracker) -> str:
    """The intent to read a form's answer by. A short reply shaped like a follow-up ("ما
    وصلني الرمز", "عمري ٣٥") is marked `followup` by the NLU, which cannot see the form;
    what it says as an answer is the intent it was read as before."""
    latest = tracker.latest_message or {}
    if intent_of(tracker) == "followup":
        return (latest.get(FOLLOWUP_KEY) or {}).get(ORIGINAL_INTENT_KEY) or ""
    return intent_of(tracker)


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
    an FAQ, an FAQ button, cancel, talk to a person, another of these flows, or a
    follow-up asking something.
    Anything else (including other buttons) stays a candidate value for the slot,
    so the form answers it and no rule-less state is ever reached."""
    return intent_of(tracker) in INTERRUPTIONS | (SWITCHES - {form_intent}) or asks_a_followup(
        tracker
    )


def asks_a_followup(tracker: Tracker) -> bool:
    """A follow-up that asks something ("وين اتابعها؟", "وبعدين وش يصير؟") rather than
    answers the form's question: the follow-up rules answer it, then the form asks again."""
    if intent_of(tracker) != "followup":
        return False
    latest = tracker.latest_message or {}
    kind = (latest.get(FOLLOWUP_KEY) or {}).get("kind")
    if kind in ASKING or kind in (ASK_LINE, AFTER, STEP):
        return True
    # "ويعطوني رقم اتابع فيه؟" asked where the form wants a number: a question that
    # names things, not "وزوجتي" given as an answer.
    about = (latest.get(FOLLOWUP_KEY) or {}).get("about") or []
    return (
        kind == ABOUT
        and len(about) >= 2
        and (latest.get("text") or "").rstrip().endswith(("؟", "?"))
    )


def extract_number_text(tracker: Tracker, slot: str, form_intent: str) -> Dict[Text, Any]:
    """Custom extraction for a slot that holds a number typed by the citizen."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    text = text_of(tracker)
    if _HAS_DIGIT.search(text) and not is_payload(text):
        return {slot: text}
    if leave_to_rules(tracker, form_intent):
        return {}
    return {slot: text}  # no digits: the validator explains what is expected


def prefill(
    tracker: Tracker, requested: str, parsers: Dict[str, Any], form_intent: str
) -> Dict[Text, Any]:
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
        return found  # e.g. the ID arrived when the number was asked
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


# The ticket and objection forms' counts (slot form_failures).
FORM_FAILURES = FailureCounter("form_failures", lambda: MAX_FIELD_FAILURES)


def bump_failures(
    tracker: Tracker, slot: str, dispatcher: CollectingDispatcher, field: str
) -> Dict[Text, Any]:
    """Count a failed answer; on every third in a row, explain and offer a way out.
    `field`: the answer's name in bot/content/cases.yml (forms.fields)."""
    events, offer = FORM_FAILURES.bump(tracker, slot)
    if offer:
        lang = reply_language(tracker)
        dispatcher.utter_message(
            response="utter_form_struggling",
            field=field_name(field, lang),
            buttons=[form_button("cancel", lang), form_button("handoff_form_failed", lang)],
        )
    return events


def clear_failures(tracker: Tracker, slot: str) -> Dict[Text, Any]:
    return FORM_FAILURES.clear(tracker, slot)


# ------------------------------------------------------------------ wrong ID/number pairs


def recent_lookup_failures(tracker: Tracker, now: Optional[float] = None) -> List[float]:
    now = now or time.time()
    stamps = tracker.get_slot("lookup_failures") or []
    return [float(s) for s in stamps if now - float(s) < LOOKUP_WINDOW_SECONDS]


def lookup_blocked(tracker: Tracker) -> bool:
    return len(recent_lookup_failures(tracker)) >= MAX_LOOKUP_FAILURES


def add_lookup_failure(tracker: Tracker) -> List[float]:
    return recent_lookup_failures(tracker) + [time.time()]


# ------------------------------------------------------------------ national ID

ID_ERRORS = {
    v.EMPTY: "utter_national_id_expected",
    v.LENGTH: "utter_national_id_length",
    v.PREFIX: "utter_national_id_prefix",
    v.CHECKSUM: "utter_national_id_checksum",
}


def validate_id_value(
    slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Dict[Text, Any]:
    if value is None:
        return {slot: None}
    parsed = v.parse_national_id(str(value))
    if parsed.ok:
        return {slot: parsed.value, **clear_failures(tracker, slot)}
    dispatcher.utter_message(
        response=ID_ERRORS.get(parsed.error, "utter_national_id_expected"),
        digits=digits_phrase(parsed.digits, reply_language(tracker)),
    )
    return {slot: None, **bump_failures(tracker, slot, dispatcher, "national_id")}
