"""bot.services.followups.timing and its use by the NLU step that marks follow-ups: a
question about time whose nearest answer gives no time is answered with what the
sources do not give, on that answer's subject."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.content import faq_answers, faq_text, fill
from bot.nlu.followup_shapes import FollowupShapes
from bot.services.followups import picker
from bot.services.followups.shapes import HOW_LONG, Ellipsis
from bot.services.followups.timing import asks_time, gives_time


@pytest.mark.parametrize(
    "text",
    [
        "سجلت اليوم في حساب المواطن، كم ياخذ وقت لين يدرسون طلبي؟",
        "ومتى يبدا ينزل الدعم على البنك الجديد؟",
        "وبعد ما احفظ متى يبان التحديث عندي؟",
        "how long until they approve my iban?",
        "when will the new bank account be used",
    ],
)
def test_questions_about_time(text):
    assert asks_time(text)


@pytest.mark.parametrize("text", ["كم عمري لازم يكون؟", "وين اسجل؟", "how do i register", ""])
def test_questions_about_something_else(text):
    assert not asks_time(text)


def test_an_answer_gives_a_time_by_a_count_of_a_unit_not_by_a_phone_number_or_an_age():
    assert gives_time(fill(faq_text("objection_reply_time")))  # 90 يوم
    assert gives_time("تشتغل 24 ساعة") and gives_time("الدعم يصرف شهريًا")
    assert gives_time(fill(faq_text("working_hours")))  # 8 صباحًا: a time of day
    assert not gives_time("تظهر لك الحالة")  # "ظهر" inside a word is no noon
    assert not gives_time("اتصل على 19912") and not gives_time("العمر 18 سنة أو أكثر")
    assert not gives_time(fill(faq_text("change_iban")))
    # Both languages agree on which answers give one.
    for key in faq_answers():
        arabic = gives_time(fill(faq_text(key)))
        assert gives_time(fill(faq_text(key, "en"), "en")) == arabic, key


def _shaped(text, key, confidence=0.6):
    message = Message(
        data={
            "text": text,
            "intent": {"name": "faq", "confidence": 0.9},
            "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            "response_selector": {
                "faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": confidence}}
            },
        }
    )
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    return message


def test_a_time_asked_of_an_answer_without_one_is_marked_on_that_answer():
    message = _shaped("وكم يوم ياخذ لين يعتمدون الايبان الجديد بعد ما احفظه؟", "change_iban")
    marked = message.get("followup")
    assert message.get("intent")["name"] == "followup"
    assert marked["kind"] == HOW_LONG and marked["topic"] == "change_iban"
    answer = picker.pick(marked["topic"], Ellipsis(HOW_LONG))
    assert "ما عندي" in answer.text and "19912" in answer.text


def test_an_answer_that_gives_the_time_answers_it():
    message = _shaped("متى يردون على الاعتراض اللي قدمته؟", "objection_reply_time")
    assert "untimed" not in (message.get("followup") or {})
    assert (message.get("followup") or {}).get("topic") != "objection_reply_time"
    message = _shaped("متى بيكون الرد عشان اعرف؟", "objection_reply_time")
    assert message.get("intent")["name"] == "faq"


def test_a_short_how_long_leans_on_the_answer_before_not_on_the_nlu():
    message = _shaped("وكم ياخذ؟", "registration_steps", 0.2)
    assert "topic" not in message.get("followup") and "untimed" not in message.get("followup")
