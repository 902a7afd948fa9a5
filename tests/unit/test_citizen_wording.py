"""What the citizen is told, as a day of real use found it wanting: a re-asked code
question that claimed a new code, "type إلغاء" without the button, masculine wording
for a female agent, and Twitter for what is now X."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.content import faq_answers, fill
from bot.services import handoff

ROOT = Path(__file__).resolve().parents[2]


def test_a_wrong_code_is_asked_for_again_without_saying_a_code_was_sent():
    """After a wrong code the form asks again; that question said "أرسلت رمز تحقق…"
    although no new code went out."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.objections import ActionAskObjectionOtp

    def asked(after: str) -> str:
        dispatcher = CollectingDispatcher()
        tracker = Tracker("c", {"requested_slot": after}, {}, [], False, None, {}, "x")
        ActionAskObjectionOtp().run(dispatcher, tracker, {})
        return dispatcher.messages[0]["response"]

    assert asked("objection_number") == "utter_ask_objection_otp"  # the code was just sent
    assert asked("objection_otp") == "utter_ask_objection_otp_again"

    domain = Domain.load(str(ROOT / "domain"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    for lang, sent, buttons in (
        (None, "أرسلت", ["أرسل رمز جديد", "إلغاء"]),
        ("en", "I sent", ["Send a new code", "Cancel"]),
    ):
        tracker = DialogueStateTracker.from_events("c", [SlotSet("language", lang)], domain.slots)
        first = asyncio.run(nlg.generate("utter_ask_objection_otp", tracker, "web"))
        again = asyncio.run(nlg.generate("utter_ask_objection_otp_again", tracker, "web"))
        assert first["text"].startswith(sent) and sent not in again["text"]
        assert [b["title"] for b in again["buttons"]] == buttons


def test_every_type_cancel_instruction_comes_with_the_cancel_button(monkeypatch):
    view = handoff.HandoffView(
        id=1, conversation_id="web:x", channel="web", state=handoff.QUEUED,
        reason="requested", reason_detail=None, snapshot={}, queued_at=None,
        claimed_at=None, claimed_by=None, ended_at=None, ended_by=None,
        last_citizen_at=None, last_agent_at=None, ticket_ref=None, position=1, created=True,
    )  # fmt: skip
    monkeypatch.setattr("bot.services.handoff.wording.estimated_wait_minutes", lambda *a: 5)
    told = handoff.escalation_message(view)
    assert handoff.LEAVE_HINT in told["text"] and told["buttons"] == [handoff.LEAVE_BUTTON]
    assert handoff.wants_to_leave_queue(handoff.LEAVE_BUTTON["title"])

    monkeypatch.setattr(
        "bot.services.handoff.transitions._citizen_wrote", lambda *a: (True, "وصلت رسالتك\n…")
    )
    monkeypatch.setattr("bot.services.handoff.transitions.conversation_language", lambda *a: "ar")
    ack = asyncio.run(handoff.notify_citizen_message("web:x"))
    assert ack["buttons"] == [handoff.LEAVE_BUTTON]


def test_the_pre_checks_first_question_carries_the_cancel_its_start_mentions():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions import eligibility as elig
    from bot.content import eligibility_text as say

    assert "إلغاء" in say("form.start")
    events = [
        {"event": "user", "text": "ابي اعرف اذا انا مستحق"},
        {"event": "action", "name": "action_elig_start"},
    ]
    tracker = Tracker("c", {}, {}, events, False, None, {"name": "eligibility_form"}, "x")
    dispatcher = CollectingDispatcher()
    elig.ActionAskEligSaudi().run(dispatcher, tracker, {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[-1] == "إلغاء" and len(titles) == 3
    # later questions keep their own buttons only
    later = Tracker("c", {}, {}, events + [{"event": "user", "text": "نعم"}], False, None, {}, "x")
    dispatcher = CollectingDispatcher()
    elig.ActionAskEligSaudi().run(dispatcher, later, {})
    assert "إلغاء" not in [b["title"] for b in dispatcher.messages[0]["buttons"]]


@pytest.mark.parametrize(
    "gender, joined, goes_on",
    [("female", "انضمت لك سارة", "بتكمل معك"), ("male", "انضم لك سارة", "بيكمل معك"), (None, "انضم لك سارة", "بيكمل معك")],
)  # fmt: skip
def test_the_agents_form_of_address_is_used(gender, joined, goes_on):
    assert handoff.claim_message("سارة", gender=gender).startswith(joined)
    assert goes_on in handoff.transfer_message("سارة", gender=gender)


def test_the_contact_answer_names_x_not_twitter():
    text = fill(faq_answers()["contact_channels"]["text"])
    assert "منصة X" in text and "في تويتر" not in text
