"""Objection status ("ابي اعرف حالة اعتراضي"), revealed only to whoever proves to be
the owner: national ID + objection number, then a one-time code sent by SMS to
the mobile registered on the objection (bot.services.objections, bot.services.verification.otp).

Form objection_form: objection_national_id → objection_number (the code is sent
when the pair matches) → objection_otp. A wrong pair gets exactly the answer an
unknown number gets. The form stops early (slot objection_stop) on a cool-down,
too many wrong pairs, an SMS failure or a database failure; action_objection_status
then explains, or reports the status after re-checking the verification in the
database (slots alone are never trusted for disclosure). Responses are in
domain/objections.yml, the rules around the form in bot/data/objections/rules.yml.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.forms import (
    add_lookup_failure,
    answer_intent_of,
    attempts_phrase,
    bump_failures,
    clear_failures,
    form_button,
    is_payload,
    leave_to_rules,
    lookup_blocked,
    minutes_phrase,
    prefill,
    reply_language,
    text_of,
    validate_id_value,
)
from bot.services import objections as objection_service
from bot.services.followups.topics import TOPIC_SLOT, objection_topic
from bot.services.verification import otp
from bot.services.verification import validators as v
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)

# Forgotten once the status is reported, and on cancel (action_cancel_ticket_flow).
OBJECTION_SLOTS = ["objection_national_id", "objection_number", "objection_otp", "objection_stop"]

RESEND = "__resend__"
VERIFIED = "verified"


def _code_buttons(tracker: Tracker) -> List[Dict[str, str]]:
    """A new code, or cancel: offered when the code typed is no code or no longer valid."""
    lang = reply_language(tracker)
    return [form_button("resend_code", lang), form_button("cancel", lang)]


def _stop(reason: str, minutes: int = 0) -> Dict[Text, Any]:
    return {"objection_stop": f"{reason}:{minutes}" if minutes else reason}


class ValidateObjectionForm(FormValidationAction):
    PARSERS = {
        "objection_national_id": v.parse_national_id,
        "objection_number": v.parse_objection_number,
    }

    def name(self) -> Text:
        return "validate_objection_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        if tracker.get_slot("objection_stop"):
            return []  # stop early; action_objection_status explains why
        return domain_slots

    # -- extraction
    async def extract_objection_national_id(self, dispatcher, tracker, domain):
        return prefill(tracker, "objection_national_id", self.PARSERS, "objection_status")

    async def extract_objection_number(self, dispatcher, tracker, domain):
        return prefill(tracker, "objection_number", self.PARSERS, "objection_status")

    async def extract_objection_otp(self, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") != "objection_otp":
            return {}
        if answer_intent_of(tracker) == "resend_code" and not v.parse_otp(text_of(tracker)).ok:
            return {"objection_otp": RESEND}
        text = text_of(tracker)
        if v.parse_otp(text).ok and not is_payload(text):
            return {"objection_otp": text}
        if leave_to_rules(tracker, "objection_status"):
            return {}
        return {"objection_otp": text}

    # -- validation
    def validate_objection_national_id(self, value, dispatcher, tracker, domain):
        result = validate_id_value("objection_national_id", value, dispatcher, tracker)
        number = tracker.get_slot("objection_number")
        if (
            result.get("objection_national_id")
            and number
            and "objection_number" not in tracker.slots_to_validate()
        ):
            # The number was given earlier: both are known now, so send the code.
            return {
                **result,
                **self._send_code(dispatcher, tracker, number, result["objection_national_id"]),
            }
        return result

    def validate_objection_number(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"objection_number": None}
        parsed = v.parse_objection_number(str(value))
        if not parsed.ok:
            dispatcher.utter_message(response="utter_objection_number_invalid")
            return {
                "objection_number": None,
                **bump_failures(tracker, "objection_number", dispatcher, "objection_number"),
            }
        national_id = tracker.get_slot("objection_national_id")
        if not national_id:
            # The number came first (or with the ID still missing): keep it, ask the ID.
            return {"objection_number": parsed.value}
        return self._send_code(dispatcher, tracker, parsed.value, national_id)

    def _send_code(self, dispatcher, tracker, number: str, national_id: str) -> Dict[Text, Any]:
        if lookup_blocked(tracker):
            return {"objection_number": number, **_stop("blocked")}
        try:
            result = objection_service.issue_code(
                tracker.sender_id, number, national_id, lang=reply_language(tracker)
            )
        except StoreUnavailable:
            return {"objection_number": number, **_stop("store_down")}
        if result.status == otp.NOT_FOUND:
            failures = add_lookup_failure(tracker)
            if len(failures) >= 3:
                return {"objection_number": number, "lookup_failures": failures, **_stop("blocked")}
            dispatcher.utter_message(response="utter_objection_not_found")
            # Either number may be the wrong one: ask for both again.
            return {
                "objection_number": None,
                "objection_national_id": None,
                "lookup_failures": failures,
            }
        if result.status in (otp.COOLDOWN, otp.TOO_MANY):
            return {"objection_number": number, **_stop("cooldown", result.retry_after_minutes)}
        if result.status == otp.SMS_FAILED:
            return {"objection_number": number, **_stop("sms_failed")}
        return {"objection_number": number, **clear_failures(tracker, "objection_number")}

    def validate_objection_otp(self, value, dispatcher, tracker, domain):
        number = tracker.get_slot("objection_number")
        national_id = tracker.get_slot("objection_national_id")
        if value is None or not number or not national_id:
            return {"objection_otp": None}
        if value == RESEND:
            try:
                result = objection_service.issue_code(
                    tracker.sender_id, number, national_id, lang=reply_language(tracker)
                )
            except StoreUnavailable:
                return {"objection_otp": None, **_stop("store_down")}
            if result.status in (otp.COOLDOWN, otp.TOO_MANY):
                return {"objection_otp": None, **_stop("cooldown", result.retry_after_minutes)}
            if not result.ok:
                return {"objection_otp": None, **_stop("sms_failed")}
            dispatcher.utter_message(response="utter_otp_resent")
            return {"objection_otp": None}
        if value == VERIFIED:
            return {"objection_otp": VERIFIED}
        parsed = v.parse_otp(str(value))
        if not parsed.ok:
            dispatcher.utter_message(response="utter_otp_format", buttons=_code_buttons(tracker))
            return {"objection_otp": None}
        try:
            result = objection_service.verify_code(tracker.sender_id, number, parsed.value)
        except StoreUnavailable:
            return {"objection_otp": None, **_stop("store_down")}
        if result.ok:
            return {"objection_otp": VERIFIED}
        if result.status == otp.WRONG:
            dispatcher.utter_message(
                response="utter_otp_wrong",
                attempts_left=attempts_phrase(result.attempts_left, reply_language(tracker)),
            )
            return {"objection_otp": None}
        if result.status == otp.LOCKED:
            return {"objection_otp": None, **_stop("locked", result.retry_after_minutes)}
        # expired, or no live code (replaced in another step): offer a new one
        dispatcher.utter_message(response="utter_otp_expired", buttons=_code_buttons(tracker))
        return {"objection_otp": None}


class ActionAskObjectionOtp(Action):
    """The code question. "I sent you a code" only when the code was just sent; asked again
    (after a wrong, expired or malformed code, or a new code already announced) it only
    asks, since no new code went out."""

    def name(self) -> Text:
        return "action_ask_objection_otp"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        again = tracker.get_slot("requested_slot") == "objection_otp"
        dispatcher.utter_message(
            response="utter_ask_objection_otp_again" if again else "utter_ask_objection_otp"
        )
        return []


class ActionObjectionStatus(Action):
    def name(self) -> Text:
        return "action_objection_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reset = [SlotSet(s, None) for s in OBJECTION_SLOTS]
        lang = reply_language(tracker)
        handoff = form_button("handoff", lang)
        stop = tracker.get_slot("objection_stop")
        if stop:
            reason, _, minutes = stop.partition(":")
            if reason in ("cooldown", "locked"):
                dispatcher.utter_message(
                    response=f"utter_otp_{reason}",
                    minutes=minutes_phrase(int(minutes or 15), lang),
                    buttons=[handoff],
                )
            elif reason == "blocked":
                dispatcher.utter_message(response="utter_lookup_blocked", buttons=[handoff])
            elif reason == "sms_failed":
                dispatcher.utter_message(response="utter_sms_failed", buttons=[handoff])
            else:
                dispatcher.utter_message(response="utter_store_down")
            return reset
        number = tracker.get_slot("objection_number")
        national_id = tracker.get_slot("objection_national_id")
        if tracker.get_slot("objection_otp") != VERIFIED or not number or not national_id:
            return reset
        try:
            if not objection_service.is_verified(number, tracker.sender_id):
                dispatcher.utter_message(
                    response="utter_otp_expired", buttons=[form_button("objection_status", lang)]
                )
                return reset
            objection = objection_service.find_for_owner(number, national_id)
        except StoreUnavailable:
            dispatcher.utter_message(response="utter_store_down")
            return reset
        if objection is None:  # deleted meanwhile: say no more than for an unknown number
            dispatcher.utter_message(response="utter_objection_not_found")
            return reset
        dispatcher.utter_message(
            text=objection_service.describe_for_owner(objection, lang=lang),
            buttons=[form_button("open_ticket", lang), handoff],
        )
        # "وش اسوي الحين؟" next is about this status (bot.services.followups).
        return reset + [SlotSet(TOPIC_SLOT, objection_topic(objection.status))]
