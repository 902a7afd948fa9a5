"""The form base (bot.actions.forms): wrong-answer counting, the history helpers and
number extraction, with trackers built from dicts."""

from rasa_sdk import Tracker

from bot.actions import forms
from bot.services.verification import validators as v


def tracker(slots=None, latest=None, events=(), loop=None):
    return Tracker(
        "c",
        dict(slots or {}),
        latest or {},
        list(events),
        False,
        None,
        {"name": loop} if loop else {},
        "action_listen",
    )


def user(intent, text="x", confidence=1.0, entities=()):
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
    }
    return {"event": "user", "text": text, "parse_data": parse}


# ------------------------------------------------------------------ wrong answers

COUNTER = forms.FailureCounter("form_failures", lambda: 3)


def test_every_third_wrong_answer_in_a_row_offers_a_way_out():
    slots = {}
    offers = []
    for _ in range(7):
        events, offer = COUNTER.bump(tracker(slots), "age")
        slots.update(events)
        offers.append(offer)
    assert offers == [False, False, True, False, False, True, False]
    assert slots["form_failures"] == {"age": 7}


def test_counts_are_per_question_and_a_good_answer_clears_only_its_own():
    slots = {"form_failures": {"age": 2, "income": 1}}
    events, offer = COUNTER.bump(tracker(slots), "income")
    assert events == {"form_failures": {"age": 2, "income": 2}} and not offer
    assert COUNTER.clear(tracker(slots), "age") == {"form_failures": {"income": 1}}
    assert COUNTER.clear(tracker({"form_failures": {"age": 2}}), "age") == {"form_failures": None}
    assert COUNTER.clear(tracker(slots), "mobile") == {}  # nothing to forget: no event


def test_the_limit_is_read_each_time():
    limit = [3]
    counter = forms.FailureCounter("x", lambda: limit[0])
    limit[0] = 2
    assert counter.bump(tracker({"x": {"q": 1}}), "q")[1] is True


# ------------------------------------------------------------------ the latest message and history


def test_latest_message_helpers():
    event = user("inform", "٥٠٠٠", 0.7, [{"entity": "elig_choice", "value": "none"}])
    t = tracker(latest=event["parse_data"], events=[event])
    assert forms.text_of(t) == "٥٠٠٠" and forms.intent_of(t) == "inform"
    assert forms.confidence_of(t) == 0.7 and forms.entity_of(t, "elig_choice") == "none"
    assert forms.entity_of(t, "faq_key") is None
    empty = tracker()
    assert (forms.text_of(empty), forms.intent_of(empty), forms.confidence_of(empty)) == (
        "",
        "",
        0.0,
    )


def test_history_helpers():
    events = [
        user("greet"),
        {
            "event": "bot",
            "text": "هلا",
            "data": {"buttons": [{"payload": "/a"}]},
            "metadata": {"utter_action": "utter_greet"},
        },
        user("nlu_fallback"),
        {"event": "bot", "text": "?", "metadata": {}},
        user("deny"),
    ]
    t = tracker(events=events)
    assert len(forms.user_events(t)) == 3
    assert forms.previous_user_intent(t) == "nlu_fallback"
    assert forms.event_intent(forms.previous_user_event(t)) == "nlu_fallback"
    # Only the very last bot message counts: it had neither buttons nor a response name.
    assert forms.last_bot_buttons(t) == [] and forms.last_bot_response(t) is None
    t = tracker(events=events[:2])
    assert forms.last_bot_buttons(t) == [{"payload": "/a"}]
    assert forms.last_bot_response(t) == "utter_greet"
    assert forms.previous_user_intent(t) is None and forms.previous_user_event(t) == {}


def test_resumes_after_faq():
    after_faq = [
        user("faq"),
        {"event": "action", "name": "utter_faq"},
        {"event": "action", "name": "eligibility_form"},
    ]
    assert forms.resumes_after_faq(tracker(events=after_faq), "eligibility_form")
    plain = [user("inform"), {"event": "action", "name": "eligibility_form"}]
    assert not forms.resumes_after_faq(tracker(events=plain), "eligibility_form")


# ------------------------------------------------------------------ extraction


def test_number_extraction_leaves_interruptions_to_the_rules():
    def extract(text, intent, requested="status_national_id"):
        event = user(intent, text)
        t = tracker({"requested_slot": requested}, event["parse_data"], [event])
        return forms.extract_number_text(t, "status_national_id", "ticket_status")

    assert extract("1023456781", "faq") == {"status_national_id": "1023456781"}  # digits win
    assert extract("وش الشروط", "faq") == {}
    assert extract("ما ادري", "inform") == {"status_national_id": "ما ادري"}
    assert extract("/open_ticket", "open_ticket") == {}
    assert extract("1023456781", "inform", requested="other") == {}


def test_prefill_takes_every_number_a_message_carries():
    parsers = {
        "status_ticket_number": v.parse_ticket_number,
        "status_national_id": v.parse_national_id,
    }
    event = user("inform", "هويتي 1023456781")
    t = tracker({"requested_slot": "status_ticket_number"}, event["parse_data"], [event])
    # The ID arrived while the ticket number was asked: keep the ID, ask the number again.
    assert forms.prefill(t, "status_ticket_number", parsers, "ticket_status") == {
        "status_national_id": "1023456781"
    }
