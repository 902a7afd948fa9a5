"""Two-stage fallback and button follow-ups, driven with CollectingDispatcher."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionAffirm, ActionAnswerFaqPick, ActionFallback, suggestions


def user(intent, parse=None):
    return {"event": "user", "text": "x", "parse_data": parse or {"intent": {"name": intent}}}


def tracker(events, latest=None, slots=None):
    latest = latest or (
        events[-1]["parse_data"] if events and events[-1]["event"] == "user" else {}
    )
    return Tracker("t1", slots or {}, latest, events, False, None, {}, "action_listen")


UNSURE = {
    "intent": {"name": "nlu_fallback", "confidence": 0.5},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "faq", "confidence": 0.45},
        {"name": "check_eligibility", "confidence": 0.30},
        {"name": "greet", "confidence": 0.2},
    ],
    "response_selector": {
        "faq": {
            "ranking": [
                {"intent_response_key": "faq/change_iban", "confidence": 0.8},
                {"intent_response_key": "faq/change_mobile", "confidence": 0.15},
            ]
        }
    },
}


def test_suggestions_rank_faqs_and_intents_and_skip_small_talk():
    buttons = suggestions(UNSURE)
    titles = [b["title"] for b in buttons]
    assert titles[0] == "تغيير الآيبان"  # 0.45 * 0.8
    assert "تحقق من أهليتي" in titles  # 0.30
    assert all("greet" not in b["payload"] for b in buttons)
    assert len(buttons) <= 3


def test_first_fallback_asks_did_you_mean_with_buttons():
    d = CollectingDispatcher()
    ActionFallback().run(
        d,
        tracker([user("greet"), {"event": "bot", "text": "هلا"}, user("nlu_fallback", UNSURE)]),
        {},
    )
    assert d.messages[0]["response"] == "utter_fallback_suggest"
    assert d.messages[0]["buttons"][-1]["payload"] == "/deny"


def test_second_fallback_in_a_row_queues_the_conversation_for_a_person(monkeypatch):
    from bot.services import handoff
    from bot.store.base import utcnow

    calls = []

    def escalate(conversation_id, reason, **kwargs):
        calls.append((conversation_id, reason))
        return handoff.HandoffView(
            id=1,
            conversation_id=conversation_id,
            channel="rest",
            state=handoff.QUEUED,
            reason=reason,
            reason_detail=None,
            snapshot={},
            queued_at=utcnow(),
            claimed_at=None,
            claimed_by=None,
            ended_at=None,
            ended_by=None,
            last_citizen_at=None,
            last_agent_at=None,
            ticket_ref=None,
            position=1,
            created=True,
        )

    monkeypatch.setattr(handoff, "escalate", escalate)
    d = CollectingDispatcher()
    events = [
        user("nlu_fallback", UNSURE),
        {"event": "bot", "text": "?"},
        user("nlu_fallback", UNSURE),
    ]
    ActionFallback().run(d, tracker(events), {})
    assert calls == [("t1", "fallback")]
    assert "موظف" in d.messages[0]["text"]


def test_second_fallback_still_gives_the_unified_number_when_the_queue_is_down(monkeypatch):
    from bot.services import handoff

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(handoff, "escalate", broken)
    d = CollectingDispatcher()
    events = [
        user("nlu_fallback", UNSURE),
        {"event": "bot", "text": "?"},
        user("nlu_fallback", UNSURE),
    ]
    ActionFallback().run(d, tracker(events), {})
    assert "19912" in d.messages[0]["text"]


def test_fallback_without_candidates_asks_to_rephrase():
    d = CollectingDispatcher()
    parse = {
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.9}],
    }
    ActionFallback().run(d, tracker([user("nlu_fallback", parse)]), {})
    assert d.messages[0]["response"] == "utter_fallback_rephrase"


def test_faq_pick_answers_known_key_and_rejects_unknown():
    d = CollectingDispatcher()
    t = tracker(
        [user("faq_pick")],
        latest={
            "intent": {"name": "faq_pick"},
            "entities": [{"entity": "faq_key", "value": "change_iban"}],
        },
    )
    ActionAnswerFaqPick().run(d, t, {})
    assert d.messages[0]["response"] == "utter_faq/change_iban"
    d = CollectingDispatcher()
    t = tracker(
        [],
        latest={
            "intent": {"name": "faq_pick"},
            "entities": [{"entity": "faq_key", "value": "../etc"}],
        },
    )
    ActionAnswerFaqPick().run(d, t, {})
    assert d.messages[0]["response"] == "utter_fallback_rephrase"


def test_yes_follows_the_first_faq_button_of_the_last_offer():
    d = CollectingDispatcher()
    offer = {
        "event": "bot",
        "text": "...",
        "data": {
            "buttons": [
                {
                    "title": "شروط الأهلية",
                    "payload": '/faq_pick{"faq_key": "eligibility_conditions"}',
                }
            ]
        },
    }
    ActionAffirm().run(d, tracker([user("faq"), offer, user("affirm")]), {})
    assert d.messages[0]["response"] == "utter_faq/eligibility_conditions"


def test_yes_without_an_offer_just_acknowledges():
    d = CollectingDispatcher()
    events = ActionAffirm().run(d, tracker([user("affirm")]), {})
    assert d.messages[0]["response"] == "utter_affirm_ack" and events == []


def test_a_short_question_after_an_answer_that_nothing_places_says_the_sources_do_not_give_it():
    d = CollectingDispatcher()
    faq = {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_faq/mobile_app"}}
    ActionFallback().run(d, tracker([user("faq"), faq, user("nlu_fallback", UNSURE)]), {})
    reply = d.messages[0]
    assert "ما عندي في مصادري" in reply["text"] and "19912" in reply["text"]
    assert "تطبيق" in reply["text"]  # the topic it was asked on
    assert (
        reply["buttons"][0]["title"] == "تغيير الآيبان"
        and reply["buttons"][-1]["payload"] == "/deny"
    )
    # Without a topic before it, the citizen is asked what they meant, as before.
    d = CollectingDispatcher()
    ActionFallback().run(d, tracker([user("nlu_fallback", UNSURE)]), {})
    assert d.messages[0]["response"] == "utter_fallback_suggest"


def test_in_english_the_sources_do_not_give_it_is_said_in_english():
    d = CollectingDispatcher()
    faq = {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_faq/mobile_app"}}
    events = [user("faq"), faq, user("nlu_fallback", UNSURE)]
    ActionFallback().run(d, tracker(events, slots={"language": "en"}), {})
    reply = d.messages[0]
    assert "I don't have" in reply["text"] and "19912" in reply["text"]
    assert '"Mobile app"' in reply["text"] and "tap it" in reply["text"]
    assert reply["buttons"][0]["title"] == "Change IBAN"
