"""Actions for "صوتك مسموع" tickets: open one (form + summary + confirmation); the
status of one's tickets is bot/actions/ticket_status.py. Thin: they read slots, call bot.services and
utter domain responses (domain/tickets.yml).

Slot extraction is custom (`extract_<slot>`), so the form decides what a message
means, not the intent classifier:
- a message with digits while a number is asked is always that number;
- the description takes the citizen's words whatever the classifier thinks (only
  a short "cancel" or a button payload is left to the rules);
- otherwise an FAQ, an FAQ button, "cancel", "talk to a person" or another of these
  flows is left unextracted, the form rejects, and the rules in
  bot/data/tickets/rules.yml answer it (then the form resumes, or stops).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import List, Optional, Text

from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import EventType, FollowupAction, SlotSet

from bot.actions.forms import (
    INTERRUPTIONS,
    answer_intent_of,
    bump_failures,
    clear_failures,
    confidence_of,
    digits_phrase,
    extract_number_text,
    form_button,
    intent_of,
    is_payload,
    leave_to_rules,
    reply_language,
    text_of,
    validate_id_value,
)
from bot.actions.objections import OBJECTION_SLOTS
from bot.actions.ticket_status import STATUS_SLOTS
from bot.content import ARABIC
from bot.masking import mask_id
from bot.nlu.arabic import normalize
from bot.services import labels
from bot.services.followups.topics import TICKET, TOPIC_SLOT
from bot.services.tickets import records as ticket_service
from bot.services.tickets.categories import parse_category
from bot.services.tickets.labels import TICKET_CATEGORIES
from bot.services.verification import validators as v

logger = logging.getLogger(__name__)

TICKET_SLOTS = [
    "ticket_national_id",
    "ticket_mobile",
    "ticket_category",
    "ticket_description",
    "ticket_confirm",
    "ticket_submission_id",
]

CATEGORY_PAYLOAD = '/inform_ticket_category{{"ticket_category": "{}"}}'


def category_buttons(lang: str = ARABIC) -> List[dict]:
    return [
        {"title": labels.ticket_category(key, lang), "payload": CATEGORY_PAYLOAD.format(key)}
        for key in TICKET_CATEGORIES
    ]


MOBILE_ERRORS = {
    v.EMPTY: "utter_mobile_expected",
    v.LENGTH: "utter_mobile_length",
    v.PREFIX: "utter_mobile_prefix",
    v.FORMAT: "utter_mobile_prefix",
}


# ------------------------------------------------------------------ category parsing

# ------------------------------------------------------------------ description

_FILLERS = {
    normalize(w)
    for w in [
        "help",
        "yes",
        "no",
        "ok",
        "okay",
        "مساعدة",
        "ساعدني",
        "ساعدوني",
        "نعم",
        "ايه",
        "اي",
        "ايوه",
        "اوكي",
        "تمام",
        "طيب",
        "لا",
        "لأ",
        "مدري",
        "ما ادري",
        "ما اعرف",
        "شي",
        "اي شي",
        "مرحبا",
        "السلام عليكم",
        "هلا",
        "شكرا",
        "ابي مساعده",
        "ابغى مساعده",
        "ساعدني لو سمحت",
        "test",
        "تجربه",
        "hi",
        "hello",
        "thanks",
        "thank you",
        "please",
        "nothing",
        "i dont know",
        "i want help",
        "help me",
        "help me please",
    ]
}
MIN_DESCRIPTION_CHARS = 10
MIN_DESCRIPTION_WORDS = 3


def description_problem(text: str) -> Optional[str]:
    """None if the text can be a ticket description, else why not."""
    norm = normalize(text)
    stripped = re.sub(r"[^\w\s]", "", norm).strip()
    if not stripped or stripped in _FILLERS:
        return "filler"
    if len(stripped) < MIN_DESCRIPTION_CHARS or len(stripped.split()) < MIN_DESCRIPTION_WORDS:
        return "short"
    return None


# ------------------------------------------------------------------ ticket form


class ValidateTicketForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_ticket_form"

    # -- extraction
    async def extract_ticket_national_id(self, dispatcher, tracker, domain):
        return extract_number_text(tracker, "ticket_national_id", "open_ticket")

    async def extract_ticket_mobile(self, dispatcher, tracker, domain):
        return extract_number_text(tracker, "ticket_mobile", "open_ticket")

    async def extract_ticket_category(self, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") != "ticket_category":
            return {}
        entities = (tracker.latest_message or {}).get("entities") or []
        if any(e.get("entity") == "ticket_category" for e in entities):
            return {}  # the from_entity mapping already set it
        if leave_to_rules(tracker, "open_ticket"):
            return {}
        return {"ticket_category": text_of(tracker)}

    async def extract_ticket_description(self, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") != "ticket_description":
            return {}
        text = text_of(tracker)
        intent = intent_of(tracker)
        if is_payload(text) and intent in INTERRUPTIONS:
            return {}  # a button: cancel, talk to a person, an FAQ
        # Only an unmistakable, short "cancel" / "a person please" is taken as one; any
        # other words (even ones that read like an FAQ or a greeting) are the description.
        if (
            intent in ("cancel", "human_handoff")
            and confidence_of(tracker) >= 0.8
            and len(text.split()) <= 4
        ):
            return {}
        return {"ticket_description": text}

    async def extract_ticket_confirm(self, dispatcher, tracker, domain):
        if tracker.get_slot("requested_slot") != "ticket_confirm":
            return {}
        intent = answer_intent_of(tracker)
        if intent == "affirm":
            return {"ticket_confirm": "yes"}
        if intent == "deny":
            return {"ticket_confirm": "no"}
        if leave_to_rules(tracker, "open_ticket"):
            return {}
        norm = normalize(text_of(tracker))
        yes = r"نعم|ايه|ايوه|اكد|اكيد|ارسل|ارسله|تمام|صح|موافق|اوكي|ok|okay|yes|yeah|sure|send|submit|confirm"
        if re.search(rf"\b({yes})\b", norm):
            return {"ticket_confirm": "yes"}
        if re.search(r"\b(لا|عدل|تعديل|غلط|خطا|no|edit|change|wrong)\b", norm):
            return {"ticket_confirm": "no"}
        return {"ticket_confirm": "unclear"}

    # -- validation
    def validate_ticket_national_id(self, value, dispatcher, tracker, domain):
        return validate_id_value("ticket_national_id", value, dispatcher, tracker)

    def validate_ticket_mobile(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"ticket_mobile": None}
        parsed = v.parse_mobile(str(value))
        if parsed.ok:
            return {"ticket_mobile": parsed.value, **clear_failures(tracker, "ticket_mobile")}
        dispatcher.utter_message(
            response=MOBILE_ERRORS.get(parsed.error, "utter_mobile_expected"),
            digits=digits_phrase(parsed.digits, reply_language(tracker)),
        )
        return {
            "ticket_mobile": None,
            **bump_failures(tracker, "ticket_mobile", dispatcher, "mobile"),
        }

    def validate_ticket_category(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"ticket_category": None}
        key = value if value in TICKET_CATEGORIES else parse_category(str(value))
        if key:
            return {"ticket_category": key}
        dispatcher.utter_message(
            response="utter_ticket_category_unknown",
            buttons=category_buttons(reply_language(tracker)),
        )
        return {"ticket_category": None}

    def validate_ticket_description(self, value, dispatcher, tracker, domain):
        if value is None:
            return {"ticket_description": None}
        problem = description_problem(str(value))
        if problem is None:
            text = str(value).strip()[: ticket_service.MAX_DESCRIPTION]
            return {"ticket_description": text}
        dispatcher.utter_message(response="utter_ticket_description_too_short")
        return {"ticket_description": None}

    def validate_ticket_confirm(self, value, dispatcher, tracker, domain):
        if value in ("yes", True):
            return {"ticket_confirm": True}
        if value == "no":
            dispatcher.utter_message(response="utter_ticket_restart")
            return {slot: None for slot in TICKET_SLOTS}
        if value is None:
            return {"ticket_confirm": None}
        dispatcher.utter_message(response="utter_ticket_confirm_unclear")
        return {"ticket_confirm": None}


class ActionAskTicketConfirm(Action):
    """Shows the summary and asks for confirmation; fixes the submission id here,
    so confirming the same summary twice maps to one ticket."""

    def name(self) -> Text:
        return "action_ask_ticket_confirm"

    def run(self, dispatcher, tracker, domain):
        category = tracker.get_slot("ticket_category")
        description = tracker.get_slot("ticket_description") or ""
        if len(description) > 300:
            description = description[:300] + "…"
        lang = reply_language(tracker)
        dispatcher.utter_message(
            response="utter_ticket_summary",
            national_id=tracker.get_slot("ticket_national_id"),
            mobile=tracker.get_slot("ticket_mobile"),
            category=labels.ticket_category(category, lang),
            description=description,
            buttons=[form_button(name, lang) for name in ("send_ticket", "edit_ticket", "cancel")],
        )
        if tracker.get_slot("ticket_submission_id"):
            return []
        return [SlotSet("ticket_submission_id", uuid.uuid4().hex)]


class ActionSubmitTicket(Action):
    def name(self) -> Text:
        return "action_submit_ticket"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if tracker.get_slot("ticket_confirm") is not True:
            return []
        values = {s: tracker.get_slot(s) for s in TICKET_SLOTS}
        submission = values["ticket_submission_id"] or "single"
        key = ticket_service.idempotency_key(tracker.sender_id, submission)
        channel = ((tracker.latest_message or {}).get("metadata") or {}).get(
            "channel"
        ) or tracker.get_latest_input_channel()
        lang = reply_language(tracker)
        try:
            outcome = ticket_service.submit_ticket(
                values["ticket_national_id"],
                values["ticket_mobile"],
                values["ticket_category"],
                values["ticket_description"],
                key,
                conversation_id=tracker.sender_id,
                channel=channel,
                lang=lang,
            )
        except ValueError:
            logger.exception("ticket form produced invalid values")
            dispatcher.utter_message(response="utter_ticket_restart")
            return [SlotSet(s, None) for s in TICKET_SLOTS] + [FollowupAction("ticket_form")]
        except Exception:
            # Not even the spool could take it: keep everything and ask again later.
            logger.exception(
                "ticket for %s could not be stored or spooled",
                mask_id(values["ticket_national_id"] or ""),
            )
            dispatcher.utter_message(response="utter_store_down_retry")
            return [SlotSet("ticket_confirm", None), FollowupAction("ticket_form")]

        # "متى يردون؟" next is about this ticket (bot.services.followups).
        topic = [SlotSet(TOPIC_SLOT, TICKET)]
        if outcome.status == "queued":
            dispatcher.utter_message(response="utter_ticket_queued")
            return [SlotSet(s, None) for s in TICKET_SLOTS] + topic
        number = outcome.ticket.number
        response = (
            "utter_ticket_created"
            if outcome.sms_sent or outcome.status == "existing"
            else "utter_ticket_created_no_sms"
        )
        dispatcher.utter_message(
            response=response,
            ticket_number=number,
            buttons=[form_button("ticket_status", lang)],
        )
        return (
            [SlotSet(s, None) for s in TICKET_SLOTS]
            + [SlotSet("last_ticket_number", number)]
            + topic
        )


# ------------------------------------------------------------------ shared


class ActionCancelTicketFlow(Action):
    """After `cancel` inside one of these forms: say so and forget what was typed."""

    def name(self) -> Text:
        return "action_cancel_ticket_flow"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_ticket_flow_cancelled")
        return [SlotSet(s, None) for s in TICKET_SLOTS + STATUS_SLOTS + OBJECTION_SLOTS] + [
            SlotSet("form_failures", None)
        ]


class ActionNumberWithoutContext(Action):
    """A number typed outside any form: ask what it is for (never echo it back)."""

    def name(self) -> Text:
        return "action_number_without_context"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = reply_language(tracker)
        dispatcher.utter_message(
            response="utter_number_without_context",
            buttons=[
                form_button(name, lang)
                for name in ("ticket_status", "objection_status", "open_ticket")
            ],
        )
        return []
