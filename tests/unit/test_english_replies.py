"""From the citizen's message to the reply's language, without a trained model: the NLU
component tags the message, Rasa's own slot extraction fills `language`, and Rasa's FAQ
action and the custom actions answer in it. The intent and FAQ key are given, as the
classifier would give them (which answer the text gets is measured in make bench)."""

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from rasa.core.actions.action import ActionExtractSlots, ActionRetrieveResponse
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionFallback
from bot.actions.faq import ActionAnswerFaqs
from bot.actions.handoff import hand_over
from bot.content import faq_text, fill
from bot.nlu.language_tagger import LanguageTagger
from bot.services import handoff
from bot.services.console import csat
from channels.text import notice

ROOT = Path(__file__).resolve().parents[2]

FOREIGN_WIFE_EN = "Can a foreign wife of a Saudi benefit from the Citizen Account?"
FOREIGN_WIFE_AR = "هل تستفيد الزوجة الأجنبية المتزوجة من سعودي من حساب المواطن؟"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def _run(coro):
    return asyncio.run(coro)


def _parse(text, intent="faq", faq_key=None):
    message = Message.build(text=text)
    LanguageTagger().process([message])
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": message.get("entities") or [],
    }
    if faq_key:
        parse["response_selector"] = {
            "faq": {
                "response": {
                    "intent_response_key": f"faq/{faq_key}",
                    "utter_action": f"utter_faq/{faq_key}",
                    "responses": [],
                    "confidence": 0.9,
                },
                "ranking": [],
            }
        }
    return parse


def _say(tracker, domain, text, faq_key):
    """One turn as Rasa runs it: the message, action_extract_slots, then utter_faq."""
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    parse = _parse(text, faq_key=faq_key)
    tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse))
    out = CollectingOutputChannel()
    for event in _run(ActionExtractSlots(None).run(out, nlg, tracker, domain)):
        tracker.update(event)
    events = _run(ActionRetrieveResponse("utter_faq").run(out, nlg, tracker, domain))
    for event in events:
        tracker.update(event)
    return [e for e in events if isinstance(e, BotUttered)]


def _fresh(domain):
    return DialogueStateTracker.from_events("t-lang", [], slots=domain.slots)


def test_an_english_question_gets_the_english_faq_answer(domain):
    tracker = _fresh(domain)
    [reply] = _say(tracker, domain, FOREIGN_WIFE_EN, "foreign_wife")
    assert tracker.get_slot("language") == "en"
    assert reply.text == fill(faq_text("foreign_wife", "en"), "en")
    assert reply.text.startswith("Yes: a foreign wife married to a Saudi")
    titles = [b["title"] for b in reply.data["buttons"]]
    assert titles == ["Nationality rules", "Check my eligibility"]


def test_an_arabic_question_gets_the_arabic_faq_answer(domain):
    tracker = _fresh(domain)
    [reply] = _say(tracker, domain, FOREIGN_WIFE_AR, "foreign_wife")
    assert tracker.get_slot("language") == "ar"
    assert reply.text == fill(faq_text("foreign_wife"))
    assert [b["title"] for b in reply.data["buttons"]][0] == "استثناءات الجنسية"


def test_the_language_switches_mid_conversation_and_holds_over_a_number(domain):
    tracker = _fresh(domain)
    [first] = _say(tracker, domain, FOREIGN_WIFE_EN, "foreign_wife")
    [second] = _say(tracker, domain, "وش شروط حساب المواطن؟", "eligibility_conditions")
    [third] = _say(
        tracker, domain, "What are the eligibility conditions?", "eligibility_conditions"
    )
    # A message that says nothing about its language keeps the last one.
    [fourth] = _say(tracker, domain, "19912", "contact_channels")
    # Arabizi is answered in Arabic.
    [fifth] = _say(tracker, domain, "ab8a a3rf 7alat e3tradi", "objection_steps")
    assert first.text.startswith("Yes: a foreign wife")
    assert second.text == fill(faq_text("eligibility_conditions"))
    assert third.text == fill(faq_text("eligibility_conditions", "en"), "en")
    assert fourth.text == fill(faq_text("contact_channels", "en"), "en")
    assert fifth.text == fill(faq_text("objection_steps"))


def test_the_greeting_follows_the_slot(domain):
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = _fresh(domain)
    assert _run(nlg.generate("utter_greet", tracker, "rest"))["text"].startswith("هلا")
    parse = _parse("hello there", intent="greet")
    tracker.update(UserUttered("hello there", parse["intent"], parse["entities"], parse))
    for event in _run(
        ActionExtractSlots(None).run(CollectingOutputChannel(), nlg, tracker, domain)
    ):
        tracker.update(event)
    greeting = _run(nlg.generate("utter_greet", tracker, "rest"))
    assert greeting["text"].startswith("Hello! I'm the Citizen Account assistant")
    assert greeting["buttons"][1] == {
        "title": "Check my eligibility",
        "payload": "/check_eligibility",
    }


# -- custom actions read the slot ----------------------------------------------------------


def _sdk_tracker(latest, language, events=None):
    slots = {"language": language}
    events = events or [{"event": "user", "text": latest.get("text", ""), "parse_data": latest}]
    return Tracker("t1", slots, latest, events, False, None, {}, "action_listen")


UNSURE = {
    "text": "iban change how",
    "intent": {"name": "nlu_fallback", "confidence": 0.5},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "faq", "confidence": 0.45},
        {"name": "check_eligibility", "confidence": 0.30},
    ],
    "response_selector": {
        "faq": {"ranking": [{"intent_response_key": "faq/change_iban", "confidence": 0.8}]}
    },
}


@pytest.mark.parametrize(
    "language, titles",
    [
        ("en", ["Change IBAN", "Check my eligibility", "No, something else"]),
        ("ar", ["تغيير الآيبان", "تحقق من أهليتي", "لا، شي ثاني"]),
        (None, ["تغيير الآيبان", "تحقق من أهليتي", "لا، شي ثاني"]),
    ],
)
def test_did_you_mean_buttons_are_in_the_citizens_language(language, titles):
    dispatcher = CollectingDispatcher()
    ActionFallback().run(dispatcher, _sdk_tracker(UNSURE, language), {})
    [said] = dispatcher.messages
    assert said["response"] == "utter_fallback_suggest"
    assert [b["title"] for b in said["buttons"]] == titles


def test_two_questions_offer_the_service_button_in_english():
    latest = {
        "text": "Who benefits? and I want to open a complaint",
        "intent": {"name": "faq_multi", "confidence": 0.9},
        "response_selector": {"faq": {"answers": ["who_benefits"], "offer": "open_ticket"}},
    }
    dispatcher = CollectingDispatcher()
    ActionAnswerFaqs().run(dispatcher, _sdk_tracker(latest, "en"), {})
    answer, offer = dispatcher.messages
    assert answer["response"] == "utter_faq/who_benefits"
    assert offer["buttons"] == [{"title": "Open a request", "payload": "/open_ticket"}]


def _view(reason="requested", state=handoff.QUEUED):
    # The fields escalation_message reads.
    return SimpleNamespace(reason=reason, state=state, position=2, created=True)


def test_the_handoff_tells_an_english_citizen_in_english(monkeypatch):
    monkeypatch.setattr(handoff, "escalate", lambda *a, **k: _view("fallback"))
    dispatcher = CollectingDispatcher()
    latest = {"text": "I want a person", "intent": {"name": "human_handoff"}}
    hand_over(dispatcher, _sdk_tracker(latest, "en"), "fallback")
    text = dispatcher.messages[0]["text"]
    assert text.startswith("It seems I couldn't understand you")
    assert "19912" in text and "cancel" in text


def test_the_handoff_apology_is_in_english_when_the_queue_is_down(monkeypatch):
    def down(*a, **k):
        raise RuntimeError("db down")

    monkeypatch.setattr(handoff, "escalate", down)
    dispatcher = CollectingDispatcher()
    hand_over(dispatcher, _sdk_tracker({"text": "agent please"}, "en"), "requested")
    assert dispatcher.messages[0]["text"].startswith("Sorry, I couldn't transfer you")


def test_queue_messages_in_english():
    ack = handoff.queued_ack_text(3, lang="en")
    assert "cancel" in ack and "✅" in ack
    assert handoff.wait_phrase(12, "en") == "about 15 minutes"
    assert handoff.claim_message("Sara", "en").startswith("Sara from customer service")
    assert handoff.transfer_message("", "en").startswith("I've transferred your conversation to a")
    assert handoff.resume_text("en").startswith("I'm back")
    assert handoff.close_text("en").startswith("Thank you for contacting")
    assert handoff.left_queue_text("en").startswith("I've cancelled")


def test_channel_notices_and_rating_in_english():
    assert notice("rate_limit", "en").startswith("I got a lot of messages")
    assert "1000 characters" in notice("too_long", "en", limit=1000)
    assert notice("error", "en").startswith("Sorry, I had a temporary problem")
    assert notice("error") == notice("error", "ar")
    assert [b["title"] for b in csat.question_buttons("en")][0] == "5 Excellent"
    assert [b["payload"] for b in csat.question_buttons("en")] == [
        b["payload"] for b in csat.question_buttons()
    ]
