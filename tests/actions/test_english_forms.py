"""An English-speaking citizen end to end through the forms: the eligibility pre-check to
an English outcome (answers in their own words, a household given as a list), a ticket
opened in English with its SMS, an objection's status after the one-time code, and the
status notification in the language of the conversation it goes to.

The `language` slot is "en" as the NLU sets it (bot/nlu/language_tagger.py); the domain
responses the actions name are rendered the way Rasa renders them, by Rasa's own
generator, so the English variation is the one checked."""

import asyncio
import re
from pathlib import Path

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot.actions.objections import ActionObjectionStatus, ValidateObjectionForm
from bot.actions.ticket_status import ActionTicketStatus
from bot.actions.tickets import ActionAskTicketConfirm, ActionSubmitTicket, ValidateTicketForm
from bot.services import objections
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    CONFIRM,
    DEPENDANTS,
    INCOME,
    RESIDENT,
    SAUDI,
    SHELTER,
)
from bot.services.tickets import records as tickets
from bot.store import conversations, session_scope
from bot.store.notifications import Notification
from bot.store.sms import SmsMessage
from tests.actions.test_eligibility_actions import result, start, texts
from tests.actions.test_eligibility_household import Conversation
from tests.support.actions import load_domain, make_tracker, run_action

ROOT = Path(__file__).resolve().parents[2]
TICKETS = load_domain("tickets")
OBJECTIONS = load_domain("objections")
SLOTS = [*TICKETS["slots"], *OBJECTIONS["slots"], "language"]
ID_A, MOBILE_A = "1023456781", "0550000001"
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
ENGLISH = {"language": "en"}


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def shown(message, domain, lang="en"):
    """What the citizen reads for one message an action sent: its text, or the domain
    response it names in the variation for `lang`, its values filled in by Rasa."""
    if not message.get("response"):
        return message["text"]
    tracker = DialogueStateTracker.from_events("c", [SlotSet("language", lang)], slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    skip = {"response", "template", "text", "buttons", "elements", "custom", "image", "attachment"}
    values = {k: v for k, v in message.items() if k not in skip and v is not None}
    return asyncio.run(nlg.generate(message["response"], tracker, "rest", **values))["text"]


def english(text):
    """No Arabic letter left: the citizen reads all of it in English."""
    assert not ARABIC_LETTER.search(text), text
    return text


def titles(message):
    return [b["title"] for b in message.get("buttons") or []]


def sms_bodies():
    with session_scope() as s:
        return [m.body for m in s.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars()]


def tracker(text="", intent="", slots=None, **kwargs):
    return make_tracker(SLOTS, text, intent, slots={**ENGLISH, **(slots or {})}, **kwargs)


# ------------------------------------------------------------------ the pre-check


def test_an_english_citizen_goes_through_the_pre_check_to_an_english_outcome():
    slots, messages = start("Am I eligible? I'm Saudi, my age is 35", slots=ENGLISH)
    opening = english(texts(messages))
    assert "quick pre-check of your eligibility" in opening
    assert "I took from your message: Nationality, Age" in opening
    assert slots[SAUDI] is True and slots[AGE] == "35"

    c = Conversation({**ENGLISH, SAUDI: True, AGE: 35, "requested_slot": RESIDENT})
    for slot, reply in (
        (RESIDENT, "yes I do"),
        (ABROAD, "a month and a half"),
        (SHELTER, "no"),
        (DEPENDANTS, "my wife and 3 kids"),  # a list: four, not three
    ):
        assert c.slots["requested_slot"] == slot
        assert c.reply(reply) == [], reply
    assert c.slots[ABROAD] == 1.5 and c.slots[DEPENDANTS] == 4
    question = english(c.asks())
    assert (
        question
        == "Of the 4 dependants (a wife and 3 children), how many are 18 years old or over?"
    )
    for slot, reply in (
        (ADULTS, "just my wife"),
        (INCOME, "my salary is six thousand and my wife 2k"),
        (ASSETS, "nope"),
    ):
        assert c.slots["requested_slot"] == slot
        assert c.reply(reply) == [], reply
    assert (c.slots[ADULTS], c.slots[INCOME], c.slots[ASSETS]) == (1, 8000, False)

    summary = english(c.asks())
    assert "Longest time outside the Kingdom: 1 and a half months" in summary
    assert "Dependants: 4 (a wife and 3 children), of whom 1 aged 18 or over and 3 under 18" in (
        summary
    )
    assert "Monthly household income: 8,000 riyals (6,000 + 2,000)" in summary
    c.reply("yes, correct")
    assert c.slots[CONFIRM] is True

    messages = result(c.slots)
    outcome = english(texts(messages))
    assert "Preliminary result: the Citizen Account conditions most likely apply to you" in outcome
    assert (
        "Your time outside the Kingdom (1 and a half months) is not more than 3 months" in outcome
    )
    assert "Estimated monthly support:" in outcome and "riyals" in outcome
    assert "19912" in outcome and "not the program's decision" in outcome
    assert titles(messages[-1]) == ["How to register", "Eligibility status", "Talk to an agent"]


def test_an_answer_that_is_no_answer_is_explained_in_english():
    c = Conversation({**ENGLISH, SAUDI: True, "requested_slot": AGE})
    assert english(texts(c.reply("no idea"))).startswith("It doesn't need to be exact")
    c = Conversation({**ENGLISH, SAUDI: True, AGE: 40, RESIDENT: True, "requested_slot": ABROAD})
    assert "I couldn't read the length of time" in english(texts(c.reply("for a while")))
    c.slots.update({ABROAD: 0, SHELTER: False, "requested_slot": DEPENDANTS})
    assert english(texts(c.reply("me and my kids"))) == (
        "OK 👍 And how many children? Write the number, like 3."
    )
    assert c.reply("three") == [] and c.slots[DEPENDANTS] == 3


def test_an_early_stop_says_why_in_english():
    messages = result({**ENGLISH, SAUDI: True, AGE: 16})
    text = english(texts(messages))
    assert "I stopped the questions here" in text and "You are 16 years old" in text
    assert titles(messages[-1])[0] == "Edit my answer"


# ------------------------------------------------------------------ a ticket


def test_an_english_citizen_opens_a_ticket_in_english(domain):
    form = {"requested": "ticket_national_id", "form": "ticket_form"}
    msgs, slots = run_action(
        ValidateTicketForm(), tracker("10234567", "inform_identifier", **form), TICKETS
    )
    assert english(shown(msgs[0], domain)) == (
        "The ID number is 10 digits, and what reached me is 8 digits. Write it again."
    )
    msgs, slots = run_action(
        ValidateTicketForm(),
        tracker(
            "the website keeps crashing when I log in",
            "inform",
            requested="ticket_category",
            form="ticket_form",
        ),
        TICKETS,
    )
    assert slots["ticket_category"] == "portal"

    filled = {
        "ticket_national_id": ID_A,
        "ticket_mobile": MOBILE_A,
        "ticket_category": "portal",
        "ticket_description": "The portal logs me out every time I open my page",
    }
    msgs, _ = run_action(ActionAskTicketConfirm(), tracker(slots=filled), TICKETS)
    summary = english(shown(msgs[0], domain))
    assert "• Type: Portal problem" in summary and summary.endswith("Send the request?")
    assert titles(msgs[0]) == ["Send the request", "Edit", "Cancel"]

    confirmed = {**filled, "ticket_confirm": True, "ticket_submission_id": "sub-en"}
    msgs, slots = run_action(
        ActionSubmitTicket(), tracker("/affirm", "affirm", slots=confirmed), TICKETS
    )
    number = slots["last_ticket_number"]
    created = english(shown(msgs[0], domain))
    assert created.startswith("Your request has been opened ✅") and number in created
    assert titles(msgs[0]) == ["My request status"]
    [sms] = sms_bodies()
    assert english(sms).startswith("Citizen Account - Sotak Masmoo: we received your request")
    assert number in sms and "19912" in sms

    tickets.set_status(number, "in_progress")
    msgs, _ = run_action(
        ActionTicketStatus(),
        tracker(slots={"status_ticket_number": number, "status_national_id": ID_A}),
        TICKETS,
    )
    report = english(msgs[0]["text"])
    assert f"Your request number {number} (Portal problem)" in report
    assert "Status: In progress" in report
    assert titles(msgs[0]) == ["Open a request", "Talk to an agent"]


# ------------------------------------------------------------------ an objection


def test_an_english_citizen_gets_the_objection_status_after_the_code(domain):
    objection = objections.create_objection(
        ID_A, MOBILE_A, "2025-01", amount="850.5", submitted_on="2025-02-01"
    )
    filled = {"objection_national_id": ID_A, "objection_number": objection.number}
    form = {"form": "objection_form", "sender": "web:en-1"}
    run_action(
        ValidateObjectionForm(),
        tracker(
            objection.number,
            "inform_identifier",
            requested="objection_number",
            slots={"objection_national_id": ID_A},
            **form,
        ),
        OBJECTIONS,
    )
    [sms] = sms_bodies()
    assert english(sms).startswith("Citizen Account verification code:")
    assert "Valid for 5 minutes" in sms
    code = re.search(r"\d{6}", sms).group()

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    msgs, _ = run_action(
        ValidateObjectionForm(),
        tracker(wrong, "inform_identifier", requested="objection_otp", slots=filled, **form),
        OBJECTIONS,
    )
    assert english(shown(msgs[0], domain)) == "The code is incorrect. You have 2 attempts left."
    _, slots = run_action(
        ValidateObjectionForm(),
        tracker(code, "inform_identifier", requested="objection_otp", slots=filled, **form),
        OBJECTIONS,
    )
    assert slots["objection_otp"] == "verified"

    msgs, _ = run_action(
        ActionObjectionStatus(),
        tracker(slots={**filled, "objection_otp": "verified"}, sender="web:en-1"),
        OBJECTIONS,
    )
    report = english(msgs[0]["text"])
    assert f"Your objection number {objection.number} on the 2025-01 payment" in report
    assert "(amount 850.5 riyals)" in report and "Status: Under review" in report
    assert "within 90 days of the submission date, that is by 2025-05-02" in report
    assert titles(msgs[0]) == ["Open a request", "Talk to an agent"]


# ------------------------------------------------------------------ notifications


def _notification_body(number):
    with session_scope() as s:
        return s.execute(
            select(Notification.body).where(Notification.subject_number == number)
        ).scalar_one()


def test_a_notification_is_in_the_language_of_its_conversation():
    conversations.record_inbound("telegram:501", "telegram", "501", "I want to open a request")
    conversations.record_inbound("telegram:502", "telegram", "502", "ابي افتح بلاغ")
    english_ticket, _ = tickets.create_ticket(
        ID_A, MOBILE_A, "payment", "The payment is short", "k-en", "telegram:501", "telegram"
    )
    arabic_ticket, _ = tickets.create_ticket(
        ID_A, MOBILE_A, "payment", "الدفعة ناقصة", "k-ar", "telegram:502", "telegram"
    )
    for ticket in (english_ticket, arabic_ticket):
        tickets.set_status(ticket.number, "resolved")
    body = english(_notification_body(english_ticket.number))
    assert body.startswith("Citizen Account - Sotak Masmoo: the status of your request number")
    assert "New status: Resolved" in body
    assert "تم الحل" in _notification_body(arabic_ticket.number)


def test_an_objection_decision_reaches_the_english_conversation_that_proved_ownership():
    objection = objections.create_objection(ID_A, MOBILE_A, "2025-03", submitted_on="2025-04-01")
    conversations.record_inbound("web:en-2", "web", "en-2", "what's the status of my objection")
    objections.issue_code("web:en-2", objection.number, ID_A)
    code = re.search(r"\d{6}", sms_bodies()[-1]).group()
    assert objections.verify_code("web:en-2", objection.number, code).ok
    objections.update_objection(objection.number, status="accepted")
    body = english(_notification_body(objection.number))
    assert f"a decision was made on your objection number {objection.number}" in body
    assert "Status: Accepted" in body and "retroactively" in body
