"""Why the bot hands a conversation over: the desk shows it and the citizen hears it."""

from rasa_sdk import Tracker

from bot.actions.handoff import escalation_reason


def user(intent, faq_key=None):
    parse = {"intent": {"name": intent}}
    if faq_key:
        parse["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{faq_key}"}}
        }
    return {"event": "user", "text": "x", "parse_data": parse}


def bot(utter_action):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": utter_action}}


def tracker(events, loop=None):
    return Tracker(
        "t1",
        {},
        events[-1]["parse_data"],
        events,
        False,
        None,
        {"name": loop} if loop else {},
        "action_listen",
    )


def test_asking_for_a_person_after_the_support_dropped_answer_is_a_support_case():
    events = [
        user("faq", "support_dropped"),
        bot("utter_faq/support_dropped"),
        user("human_handoff"),
    ]
    assert escalation_reason(tracker(events)) == ("support_stopped", "faq:support_dropped")


def test_a_form_answer_is_not_read_as_an_faq():
    # "نعم" in the pre-check: the selector still ranks some FAQ key for it
    events = [
        user("check_eligibility"),
        bot("utter_ask_elig_saudi"),
        user("affirm", "support_dropped"),
        bot("utter_ask_elig_age"),
        user("human_handoff"),
    ]
    assert escalation_reason(tracker(events, loop="eligibility_form")) == (
        "requested",
        "form:eligibility_form",
    )


def test_after_two_misunderstandings_it_is_the_fallback():
    events = [user("nlu_fallback"), bot("utter_fallback_suggest"), user("human_handoff")]
    assert escalation_reason(tracker(events))[0] == "fallback"
