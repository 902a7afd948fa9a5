"""action_answer_followup on trackers as Rasa sends them: the previous answer's topic in the
events (an FAQ's `utter_action`, or the `last_topic` slot a service set), the follow-up as
the NLU marked it. And the service actions that set the topic."""

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import eligibility as elig
from bot.actions.followups import ActionAnswerFollowup
from bot.services.followups.english import read_english
from bot.services.followups.shapes import read
from tests.support.actions import load_domain, run_action

DOMAIN = load_domain("followups")
FORM_STARTS = ("بفتح لك بلاغ", "عشان أعرض لك حالة اعتراضك", "أول سؤال")


def _parse(text, intent, key="faq/contact_channels", ranking=None):
    """The parse of a message the NLU marked `followup`, read before as `intent`."""
    ellipsis = read(text)
    return {
        "text": text,
        "intent": {"name": "followup", "confidence": 0.9},
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "entities": [],
        "followup": {**ellipsis.as_dict(), "intent": intent},
        "response_selector": {
            "faq": {
                "response": {"intent_response_key": key, "confidence": 0.4},
                "ranking": [{"intent_response_key": key, "confidence": 0.4}],
            }
        },
    }


def _tracker(text, intent="faq", before=(), slots=None, **parse):
    latest = _parse(text, intent, **parse)
    events = [
        {"event": "user", "text": "..."},
        *before,
        {"event": "action", "name": "action_listen"},
    ]
    events.append({"event": "user", "text": text, "parse_data": latest})
    return Tracker(
        "conv-1",
        {"last_topic": None, **(slots or {})},
        latest,
        events,
        False,
        None,
        {},
        "action_listen",
    )


def _after_faq(key):
    return [{"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_faq/{key}"}}]


def _after_slot(topic):
    return [
        {"event": "bot", "text": "..."},
        {"event": "slot", "name": "last_topic", "value": topic},
    ]


def _run(t):
    msgs, slots = run_action(ActionAnswerFollowup(), t, DOMAIN)
    text = "\n".join(m.get("text") or "" for m in msgs)
    assert not any(start in text for start in FORM_STARTS)
    return msgs, slots, text


def test_where_after_the_registration_steps_is_where_to_register_and_starts_nothing():
    msgs, slots, text = _run(_tracker("وين؟", before=_after_faq("registration_steps")))
    assert "بوابة حساب المواطن" in text and "تسجيل جديد" in text
    assert slots == {"last_topic": "registration_steps"}
    assert all(m.get("response") is None for m in msgs)


def test_a_group_after_who_benefits_gets_that_group_not_the_list_again():
    _, _, text = _run(_tracker("والأرملة؟", before=_after_faq("who_benefits")))
    assert "أرملة" in text and "حاملو بطاقات" not in text


def test_an_age_after_the_shares_gets_its_share():
    _, _, adult = _run(_tracker("واللي فوق ١٨؟", "inform", before=_after_faq("dependant_share")))
    _, _, minor = _run(_tracker("وإذا كان عمره ١٢؟", before=_after_faq("dependant_share")))
    assert "50%" in adult and "30%" in minor


def test_how_long_after_the_objection_steps_is_the_reply_time_not_the_hours():
    _, _, text = _run(_tracker("كم ياخذ وقت؟", before=_after_faq("objection_steps")))
    assert "90" in text and "8 صباح" not in text


def test_when_do_they_reply_after_a_ticket_says_the_sources_do_not_say():
    msgs, slots, text = _run(_tracker("متى يردون؟", before=_after_slot("ticket")))
    assert "ما عندي" in text and "19912" in text
    assert slots == {"last_topic": "ticket"}
    assert msgs[0]["buttons"][0]["payload"] == "/ticket_status"


def test_what_now_after_a_rejected_objection_is_the_next_steps():
    msgs, _, text = _run(_tracker("وش اسوي الحين؟", before=_after_slot("objection_rejected")))
    assert "صوتك مسموع" in text and "19912" in text
    assert {"/open_ticket", "/human_handoff"} <= {b["payload"] for b in msgs[0]["buttons"]}


def test_why_after_a_precheck_gives_its_reasons():
    answers = {"elig_saudi": True, "elig_age": 16}
    _, _, text = _run(_tracker("ليش؟", before=_after_slot("precheck"), slots=answers))
    assert "عمرك 16" in text and "18" in text


def test_the_topic_carries_to_a_third_message():
    before = _after_faq("objection_steps") + [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "كم ياخذ وقت؟"},
        {"event": "bot", "text": "..."},
        {"event": "slot", "name": "last_topic", "value": "objection_steps"},
    ]
    _, _, text = _run(_tracker("وإذا تأخر؟", before=before))
    assert "19912" in text and "90" in text


def test_with_no_topic_an_faq_reading_is_answered_as_before():
    msgs, slots, _ = _run(_tracker("وش رقمهم؟", key="faq/contact_channels"))
    assert [m.get("response") for m in msgs] == ["utter_faq/contact_channels"]
    assert slots == {}


def test_with_no_topic_a_service_is_offered_not_started():
    msgs, _, _ = _run(_tracker("وش احتاج؟", "open_ticket"))
    assert msgs[0]["response"] == "utter_followup_offer"
    assert msgs[0]["buttons"] == [{"title": "افتح بلاغ", "payload": "/open_ticket"}]


def test_with_no_topic_an_unclear_reading_gets_did_you_mean():
    ranking = [{"name": "faq", "confidence": 0.5}, {"name": "ticket_status", "confidence": 0.3}]
    msgs, _, _ = _run(_tracker("وين؟", "nlu_fallback", ranking=ranking))
    assert msgs[0]["response"] in ("utter_fallback_suggest", "utter_fallback_rephrase")


def test_a_topic_with_nothing_on_the_question_reads_it_on_its_own():
    msgs, _, _ = _run(_tracker("كيف؟", before=_after_faq("change_iban"), key="faq/change_iban"))
    assert [m.get("response") for m in msgs] == ["utter_faq/change_iban"]


def test_the_precheck_result_sets_its_topic():
    d = CollectingDispatcher()
    slots = {"elig_saudi": True, "elig_age": 16}
    events = elig.ActionEligResult().run(
        d, Tracker("c", slots, {}, [], False, None, {}, "action_listen"), {}
    )
    assert {"event": "slot", "name": "last_topic", "value": "precheck"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_a_form_still_reads_an_answer_the_nlu_marked_as_a_followup():
    """ "ما وصلني الرمز" at the code step is a request for a new code, as before."""
    import asyncio

    from bot.actions.objections import RESEND, ValidateObjectionForm

    t = _tracker("ما وصلني الرمز", "resend_code")
    t.slots["requested_slot"] = "objection_otp"
    extracted = asyncio.run(ValidateObjectionForm().extract_objection_otp(None, t, {}))
    assert extracted == {"objection_otp": RESEND}


# ------------------------------------------------------------------ in English


def _english_tracker(text, before, intent="faq"):
    """A follow-up written in English: the NLU marked it from its English shape and the
    `language` slot is "en"."""
    t = _tracker("وين؟", intent, before=before, slots={"language": "en"})
    t.latest_message.update(text=text, followup={**read_english(text).as_dict(), "intent": intent})
    return t


def test_an_english_where_after_the_registration_steps_is_answered_in_english():
    msgs, slots, text = _run(_english_tracker("and where?", _after_faq("registration_steps")))
    assert "Citizen Account" in text and '"New registration"' in text
    assert not re.search(r"[\u0621-\u064a]", text)
    assert slots == {"last_topic": "registration_steps"}


def test_an_english_follow_up_after_a_ticket_gets_english_buttons():
    msgs, _, text = _run(_english_tracker("when will they reply?", _after_slot("ticket")))
    assert "don't have" in text and "19912" in text
    assert msgs[0]["buttons"] == [{"title": "My request status", "payload": "/ticket_status"}]


def test_an_english_group_after_who_benefits_is_that_group_in_english():
    _, _, text = _run(_english_tracker("and the widow?", _after_faq("who_benefits")))
    assert text.startswith("Yes, families with a widow")
