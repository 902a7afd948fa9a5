"""Courtesy around a question, two questions in one message, an age in the question and
an answer selector that is guessing (bot.nlu.message_shapes, bot.nlu.faq_shapes), and
the action that answers two FAQs (bot.actions.faq)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.nlu.message_shapes import stated_age, strip_courtesy


def _lemma(text: str) -> str:
    from bot.nlu.arabic import normalize
    from bot.nlu.dialect import fold_dialect

    return " ".join(fold_dialect(w) for w in normalize(text).split() if w not in "،؟?,")


@pytest.mark.parametrize(
    "text, left",
    [
        ("السلام عليكم، كيف اغير الايبان", "كيف اغير الايبان"),
        ("هلا والله، نسيت كلمة المرور", "نسيت كلمه المرور"),
        ("مساء الخير يا طيب متى الدوام", "متي الدوام"),
        ("شكرا لك، طيب كيف اغير رقم الجوال", "كيف اغير رقم الجوال"),
        ("يعطيك العافية ابي احدث بياناتي", "ابي احدث بياناتي"),
        ("كيف اسجل في البرنامج وشكرا", "كيف اسجل في البرنامج"),
        ("السلام عليكم اخوي لو سمحت، هل الاعزب يسجل", "هل الاعزب يسجل"),
        ("هلا والله يا بوت هل الاعزب يسجل", "هل الاعزب يسجل"),
        ("صباح الخير يا طيب هل الاعزب يسجل", "هل الاعزب يسجل"),
    ],
)
def test_courtesy_around_a_question_is_taken_off(text, left):
    assert strip_courtesy(_lemma(text)) == left


@pytest.mark.parametrize(
    "text", ["السلام عليكم", "السلام عليكم كيف الحال", "شكرا جزيلا", "هلا والله"]
)
def test_courtesy_alone_leaves_nothing(text):
    assert strip_courtesy(_lemma(text)) == ""


@pytest.mark.parametrize("text", ["سلامتك باي", "هلال العيد متى", "مرحلة التسجيل"])
def test_words_that_only_start_like_a_greeting_stay(text):
    assert strip_courtesy(_lemma(text)) == _lemma(text)


def test_stated_age_reads_one_age_in_any_digits():
    assert stated_age("ولدي عمره 20 سنة") == 20
    assert stated_age("بنتي عمرها ١٠ سنين") == 10
    assert stated_age("كم نسبة التابع") is None
    assert stated_age("عندي ولد 20 وبنت 10") is None  # two ages: none is the one asked about
    assert stated_age("دخلي 4500") is None  # not an age


def test_an_age_given_as_a_bound_reads_as_an_age_inside_it():
    assert stated_age("كم نسبة الطفل اللي تحت ١٨ سنة من الدعم؟") == 17
    assert stated_age("الولد اللي عمره اقل من 18 كم نسبته") == 17
    assert stated_age("ولدي ما وصل 18") == 17
    assert stated_age("what share for a child under 18?") == 17
    assert stated_age("واللي فوق ١٨؟") == 19
    assert stated_age("a son older than 18") == 19
    assert stated_age("ولدي عمره 18 سنة") == 18  # the age itself, not a bound


def _segments(text):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.linear_model import digit_shape
    from bot.nlu.message_shapes import question_segments
    from bot.nlu.tokenizer import ArabicTokenizer

    message = Message(data={TEXT: text})
    ArabicTokenizer({**ArabicTokenizer.get_default_config(), "dialect": True}).process([message])
    return question_segments(message, digit_shape)


def test_two_questions_are_split_and_one_is_not():
    assert _segments("كيف اغير الايبان؟ وكيف اغير رقم جوالي؟") == [
        "كيف اغير الايبان",
        "وكيف اغير رقم جوالي",
    ]
    assert _segments("السلام عليكم، وش الشروط؟ وكم الرقم الموحد؟") == [
        "وش الشروط",
        "وكم الرقم الموحد",
    ]
    assert _segments("كيف اغير الايبان؟") == []
    assert _segments("السلام عليكم، كيف اغير الايبان") == []


def test_age_variant_follows_the_program_age():
    from bot.content import fact
    from bot.nlu.faq_shapes import age_variant

    adult = int(fact("eligibility_precheck.dependant_adult_age"))
    assert age_variant("dependant_share", f"ولدي عمره {adult}") == "dependant_share_adult"
    assert age_variant("dependant_share", f"بنتي {adult - 1} سنة") == "dependant_share_minor"
    assert age_variant("dependant_share", "كم نسبة التابع") is None
    assert age_variant("change_iban", "عمري 30") is None


def _parsed(intent, confidence, key, answer_confidence, text="x", segments=None):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "response_selector": {
                "faq": {
                    "response": {
                        "intent_response_key": key,
                        "utter_action": f"utter_{key}",
                        "confidence": answer_confidence,
                        "responses": [],
                    },
                    "ranking": [{"intent_response_key": key, "confidence": answer_confidence}],
                }
            },
        }
    )
    if segments:
        message.set("question_segments", segments)
    return message


def _shape(message, **config):
    from bot.nlu.faq_shapes import FaqShapes

    FaqShapes({**FaqShapes.get_default_config(), **config}).process([message])
    return message


def test_a_guessing_answer_selector_becomes_a_did_you_mean():
    message = _shape(_parsed("faq", 0.59, "faq/eligibility_status", 0.10, "restart"))
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[1]["name"] == "faq"  # the FAQs are still offered

    sure = _shape(_parsed("faq", 0.59, "faq/eligibility_status", 0.80))
    assert sure.get("intent")["name"] == "faq"


def test_the_age_in_the_question_picks_the_answer_for_that_age():
    message = _shape(_parsed("faq", 0.9, "faq/dependant_share", 0.8, "ولدي عمره 20 كم نسبته"))
    response = message.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == "faq/dependant_share_adult"
    assert response["utter_action"] == "utter_faq/dependant_share_adult"


def test_two_confident_questions_get_two_answers():
    segments = [
        {"text": "a", "intent": "faq", "confidence": 0.9},
        {"text": "b", "intent": "faq", "confidence": 0.8},
    ]
    segments[0].update(intent_response_key="faq/change_iban", answer_confidence=0.9)
    segments[1].update(intent_response_key="faq/change_mobile", answer_confidence=0.7)
    message = _shape(_parsed("faq", 0.9, "faq/change_iban", 0.6, segments=segments))
    assert message.get("intent")["name"] == "faq_multi"
    assert message.get("response_selector")["faq"]["answers"] == [
        "faq/change_iban",
        "faq/change_mobile",
    ]

    segments[1]["confidence"] = 0.2  # the second is not clearly an FAQ: one answer
    single = _shape(_parsed("faq", 0.9, "faq/change_iban", 0.6, segments=segments))
    assert single.get("intent")["name"] == "faq"


def test_other_intents_are_left_alone():
    message = _shape(_parsed("check_eligibility", 0.9, "faq/change_iban", 0.05))
    assert message.get("intent")["name"] == "check_eligibility"


def _faq_and_service(service_confidence=0.8):
    faq = {"text": "a", "intent": "faq", "confidence": 0.9}
    faq.update(intent_response_key="faq/eligibility_conditions", answer_confidence=0.8)
    return [faq, {"text": "b", "intent": "open_ticket", "confidence": service_confidence}]


@pytest.mark.parametrize("top", ["faq", "open_ticket"])
def test_an_faq_with_a_service_answers_the_faq_and_offers_the_service(top):
    segments = _faq_and_service()
    if top == "open_ticket":
        segments.reverse()  # "ابي افتح بلاغ، وش الشروط؟": the same answer and offer
    message = _shape(_parsed(top, 0.7, "faq/eligibility_conditions", 0.5, segments=segments))
    assert message.get("intent")["name"] == "faq_multi"
    selector = message.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/eligibility_conditions"]
    assert selector["offer"] == "open_ticket"


def test_a_service_asked_unclearly_is_not_offered():
    segments = _faq_and_service(service_confidence=0.3)
    message = _shape(_parsed("faq", 0.9, "faq/eligibility_conditions", 0.8, segments=segments))
    assert message.get("intent")["name"] == "faq"
    assert "offer" not in message.get("response_selector")["faq"]

    # Two services and no FAQ: the service intent stays, its form runs as before.
    services = [dict(s, intent="open_ticket") for s in segments]
    message = _shape(_parsed("open_ticket", 0.9, "faq/change_iban", 0.05, segments=services))
    assert message.get("intent")["name"] == "open_ticket"


def test_a_precheck_request_naming_one_condition_gets_that_condition_first():
    named = _shape(_parsed("check_eligibility", 0.85, "faq/age_rule", 0.93, "عمري 17 يحق لي؟"))
    assert named.get("intent")["name"] == "faq_multi"
    selector = named.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/age_rule"]
    assert selector["offer"] == "check_eligibility"

    # A plain request to be checked: the selector is not sure of any one condition.
    plain = _shape(_parsed("check_eligibility", 0.99, "faq/nationality_exceptions", 0.18))
    assert plain.get("intent")["name"] == "check_eligibility"
    # Sure of an answer that is not about one condition: the pre-check runs.
    general = _shape(_parsed("check_eligibility", 0.9, "faq/eligibility_status", 0.9))
    assert general.get("intent")["name"] == "check_eligibility"


def test_faq_shapes_rejects_bad_thresholds():
    from bot.nlu.faq_shapes import FaqShapes

    with pytest.raises(ValueError):
        FaqShapes.validate_config({"answer_threshold": 1.5})


def test_two_faqs_are_answered_in_the_order_asked():
    from bot.actions.faq import ActionAnswerFaqs

    parse = {
        "intent": {"name": "faq_multi"},
        "response_selector": {
            "faq": {"answers": ["faq/change_mobile", "faq/nope", "faq/change_iban"]}
        },
    }
    tracker = Tracker("t1", {}, parse, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFaqs().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_faq/change_mobile",
        "utter_faq/change_iban",
    ]

    offered = dict(parse)
    offered["response_selector"] = {
        "faq": {"answers": ["faq/eligibility_conditions"], "offer": "open_ticket"}
    }
    tracker = Tracker("t1", {}, offered, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFaqs().run(dispatcher, tracker, {})
    answer, offer = dispatcher.messages
    assert answer["response"] == "utter_faq/eligibility_conditions"
    assert offer["response"] == "utter_offer_service"
    assert offer["buttons"] == [{"title": "افتح بلاغ", "payload": "/open_ticket"}]
    assert offer["request"] == "افتح بلاغ"

    empty = Tracker("t1", {}, {"intent": {"name": "faq_multi"}}, [], False, None, {}, "x")
    dispatcher = CollectingDispatcher()
    ActionAnswerFaqs().run(dispatcher, empty, {})
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


def _story(text: str) -> str:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.linear_model import digit_shape
    from bot.nlu.message_shapes import story_question
    from bot.nlu.tokenizer import ArabicTokenizer

    message = Message(data={"text": text})
    ArabicTokenizer({**ArabicTokenizer.get_default_config(), "dialect": True}).process([message])
    return story_question(message, digit_shape)


def test_a_long_story_is_also_read_by_its_question():
    story = (
        "السلام عليكم انا موظف في شركة خاصة وعندي ثلاث عيال وزوجتي ما تشتغل وساكنين"
        " في الرياض من زمان. كيف اغير الحساب البنكي؟"
    )
    assert _story(story) == "كيف اغير الحساب البنكي"
    ends_plainly = (
        "عندي ولدين وبنت وزوجتي وكلنا ساكنين مع بعض في بيت واحد بالايجار. ابي اعرف الشروط"
    )
    assert _story(ends_plainly) == "ابي اعرف الشروط"


@pytest.mark.parametrize(
    "text",
    [
        "كيف اغير الحساب البنكي؟",  # short: the message is the question
        "عندي ولدين وبنت وزوجتي وكلنا ساكنين مع بعض في بيت واحد بالايجار وابي اعرف الشروط",
    ],
)
def test_a_short_or_one_sentence_message_has_no_story_question(text):
    assert _story(text) == ""
