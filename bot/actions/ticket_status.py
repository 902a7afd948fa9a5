"""The status of one's "صوتك مسموع" tickets: a two-question form (ticket number, national
ID) and the answer, shown only to the ticket's owner. Thin, like bot/actions/tickets.py.

When the bot opened a ticket earlier in the conversation (slot last_ticket_number), the
number question offers that ticket as a button instead of asking for what it just gave."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import EventType, SlotSet

from bot.actions.forms import (
    add_lookup_failure,
    bump_failures,
    clear_failures,
    form_button,
    lookup_blocked,
    prefill,
    reply_language,
    validate_id_value,
)
from bot.services.followups.topics import TICKET, TOPIC_SLOT
from bot.services.tickets import records as ticket_service
from bot.services.tickets.wording import describe_for_owner
from bot.services.verification import validators as v
from bot.store.errors import StoreUnavailable

STATUS_SLOTS = ["status_ticket_number", "status_national_id"]


class ValidateTicketStatusForm(FormValidationAction):
    PARSERS = {
        "status_ticket_number": v.parse_ticket_number,
        "status_national_id": v.parse_national_id,
    }

    def name(self) -> Text:
        return "validate_ticket_status_form"

    async def extract_status_ticket_number(self, dispatcher, tracker, domain):
        return prefill(tracker, "status_ticket_number", self.PARSERS, "ticket_status")

    async def extract_status_national_id(self, dispatcher, tracker, domain):
        return prefill(tracker, "status_national_id", self.PARSERS, "ticket_status")

    def validate_status_ticket_number(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"status_ticket_number": None}
        parsed = v.parse_ticket_number(str(value))
        if parsed.ok:
            return {
                "status_ticket_number": parsed.value,
                **clear_failures(tracker, "status_ticket_number"),
            }
        dispatcher.utter_message(response="utter_ticket_number_invalid")
        return {
            "status_ticket_number": None,
            **bump_failures(tracker, "status_ticket_number", dispatcher, "ticket_number"),
        }

    def validate_status_national_id(self, value, dispatcher, tracker, domain):
        return validate_id_value("status_national_id", value, dispatcher, tracker)


class ActionAskStatusTicketNumber(Action):
    def name(self) -> Text:
        return "action_ask_status_ticket_number"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        number = tracker.get_slot("last_ticket_number")
        parsed = v.parse_ticket_number(str(number or ""))
        if not parsed.ok:
            dispatcher.utter_message(response="utter_ask_status_ticket_number")
            return []
        # The button's payload is the number itself: it reaches the form as if typed.
        dispatcher.utter_message(
            response="utter_ask_status_ticket_number_offer",
            last_ticket_number=parsed.value,
            buttons=[
                {"title": parsed.value, "payload": parsed.value},
                form_button("cancel", reply_language(tracker)),
            ],
        )
        return []


class ActionTicketStatus(Action):
    def name(self) -> Text:
        return "action_ticket_status"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        number = tracker.get_slot("status_ticket_number")
        national_id = tracker.get_slot("status_national_id")
        reset = [SlotSet(s, None) for s in STATUS_SLOTS]
        if not number or not national_id:
            return reset
        lang = reply_language(tracker)
        handoff = form_button("handoff", lang)
        if lookup_blocked(tracker):
            dispatcher.utter_message(response="utter_lookup_blocked", buttons=[handoff])
            return reset
        try:
            ticket = ticket_service.find_for_owner(number, national_id)
            others = ticket_service.tickets_of(national_id) if ticket else []
        except StoreUnavailable:
            dispatcher.utter_message(response="utter_store_down")
            return reset
        if ticket is None:
            failures = add_lookup_failure(tracker)
            dispatcher.utter_message(
                response="utter_ticket_not_found",
                buttons=[form_button("try_again", lang), handoff],
            )
            return reset + [SlotSet("lookup_failures", failures)]
        dispatcher.utter_message(
            text=describe_for_owner(ticket, others, lang),
            buttons=[form_button("open_ticket", lang), handoff],
        )
        return reset + [SlotSet(TOPIC_SLOT, TICKET)]
