"""FaqShapes on parses as the NLU hands them over: the answer fits what was asked."""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.faq_shapes import ORIGINAL_KEY, FaqShapes
from bot.nlu.linear_classifier import SEGMENTS


def parse(
    text: str,
    ranking: List[Tuple[str, float]],
    intent: str = "faq",
    segments: Optional[List[dict]] = None,
) -> Message:
    top, confidence = ranking[0]
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.95})
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {
                    "intent_response_key": f"faq/{top}",
                    "utter_action": f"utter_faq/{top}",
                    "confidence": confidence,
                },
                "ranking": [
                    {"intent_response_key": f"faq/{k}", "confidence": c} for k, c in ranking
                ],
            }
        },
    )
    message.set(SEGMENTS, segments or [])
    FaqShapes({}).process([message])
    return message


def answer(message: Message) -> str:
    return message.get("response_selector")["faq"]["response"]["intent_response_key"]


def segment(intent: str, key: Optional[str] = None, confidence: float = 0.9) -> dict:
    return {
        "intent": intent,
        "confidence": confidence,
        "intent_response_key": f"faq/{key}" if key else None,
        "answer_confidence": 0.9 if key else 0.0,
    }


def test_a_question_beside_a_service_is_read_with_the_whole_message():
    """ "وش الخطوات" alone is registration; beside an objection it is the objection's."""
    message = parse(
        "عندي اعتراض على مبلغ الدفعه، وش الخطوات؟",
        [("objection_steps", 0.74), ("objection_rejected", 0.06), ("support_dropped", 0.05)],
        segments=[segment("objection_status"), segment("faq", "registration_steps")],
    )
    assert message.get("intent")["name"] == "faq_multi"
    selector = message.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/objection_steps"]
    assert selector["offer"] == "objection_status"


def test_two_questions_the_whole_message_also_weighs_keep_their_own_answers():
    message = parse(
        "كيف اسجل؟ وابي اعترض",
        [("objection_steps", 0.6), ("registration_steps", 0.3), ("support_dropped", 0.05)],
        segments=[segment("faq", "registration_steps"), segment("objection_status")],
    )
    assert message.get("response_selector")["faq"]["answers"] == ["faq/registration_steps"]


def test_an_unsure_whole_message_does_not_overrule_the_question():
    message = parse(
        "عندي اعتراض، وش الخطوات؟",
        [("objection_steps", 0.3), ("objection_rejected", 0.2), ("support_dropped", 0.1)],
        segments=[segment("objection_status"), segment("faq", "registration_steps")],
    )
    assert message.get("response_selector")["faq"]["answers"] == ["faq/registration_steps"]


def test_an_age_that_meets_the_rule_is_not_what_is_asked():
    message = parse(
        "انا اعزب عمري 24 اقدر اسجل؟",
        [("age_rule", 0.64), ("single_independent", 0.33), ("nationality_exceptions", 0.01)],
    )
    assert answer(message) == "faq/single_independent"
    selector = message.get("response_selector")["faq"]["response"]
    assert selector["utter_action"] == "utter_faq/single_independent"
    assert ORIGINAL_KEY not in selector  # a real answer of its own: scored as itself


def test_an_age_under_the_rule_keeps_the_age_answer():
    message = parse(
        "انا اعزب عمري 16 اقدر اسجل؟",
        [("age_rule", 0.64), ("single_independent", 0.33), ("nationality_exceptions", 0.01)],
    )
    assert answer(message) == "faq/age_rule"


def test_a_weak_runner_up_leaves_the_age_answer():
    message = parse(
        "عمري 30 كم لازم يكون العمر؟",
        [("age_rule", 0.9), ("single_independent", 0.05), ("nationality_exceptions", 0.01)],
    )
    assert answer(message) == "faq/age_rule"


@pytest.mark.parametrize("text", ["واحد بس", "ثنين", "ولا واحد", "3"])
def test_a_bare_count_answers_a_form_not_an_faq(text):
    """Asked how many of the dependants are adults, "واحد بس" is an answer, even when
    the selector leans to "single" (الأعزب) for it."""
    message = parse(text, [("single_independent", 0.22), ("contact_channels", 0.14)])
    assert message.get("intent")["name"] == "inform"


@pytest.mark.parametrize("text", ["كم واحد يسجل؟", "وش الشروط"])
def test_a_question_with_a_number_word_stays_a_question(text):
    message = parse(text, [("eligibility_conditions", 0.7), ("who_benefits", 0.1)])
    assert message.get("intent")["name"] == "faq"
